/** The rules a reported event must follow (events.proto), and which cameras the hub knows. */
package io.virta.hub.validate;

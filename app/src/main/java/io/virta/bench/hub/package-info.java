/** {@code virta bench events}: the hub against a bare Chronicle append and bare gRPC peers. */
package io.virta.bench.hub;

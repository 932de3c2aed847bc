/**
 * The event hub: workers report what they saw in the cameras' pictures ({@code virta.events.v1}), the
 * hub validates each event ({@link io.virta.hub.validate}), journals it durably
 * ({@link io.virta.hub.journal}), fans it out live to subscribers and answers queries over the journal
 * ({@link io.virta.hub.delivery}). {@link io.virta.hub.EventHub} ties these together,
 * {@link io.virta.hub.EventHubService} puts it on gRPC, {@link io.virta.hub.HubServer} hosts it on its
 * own ({@code virta hub}); inside the producer it shares the control API's server. See docs/events.md.
 */
package io.virta.hub;

package io.virta.viewer.overlay;

/**
 * What the overlays' subscription has seen since start.
 *
 * @param events       events received for the shown cameras
 * @param boxes        boxes stored
 * @param overwritten  boxes overwritten by newer ones of their camera while they could still have been shown
 * @param missed       events the hub dropped for this viewer because it read too slowly ({@code Missed} notices)
 * @param otherCameras events for cameras the viewer does not show (the hub filters them; counted should it not)
 * @param disconnects  times an established subscription was lost
 * @param connected    whether the subscription is established now
 */
public record OverlayCounters(long events, long boxes, long overwritten, long missed, long otherCameras,
                              long disconnects, boolean connected) {
}

package io.virta.viewer;

import io.virta.grpc.GrpcTarget;
import io.virta.viewer.layout.Layout;
import io.virta.viewer.overlay.OverlayTiming;

/**
 * What the viewer shows and how: the windows and their tiles, where the cameras and their events come
 * from, and the presentation timing. {@code virta viewer} (the app's command line) builds it from its
 * options and checks each value; a test or an embedding program can build one directly.
 *
 * @param layout the windows, each a grid of tiles
 * @param display the X display to open, e.g. {@code :0.1}; null for {@code $DISPLAY}
 * @param control the producer's control API, to find cameras
 * @param hub the event hub for the overlays; null for no overlays
 * @param bufferNanos the presentation delay that absorbs network jitter; 0 shows each frame on arrival
 * @param queueFrames frames each camera can hold waiting
 * @param noSignalNanos how long without frames before a tile shows "no signal"
 * @param vsync draw once per screen refresh rather than as soon as a frame is due
 * @param statsSeconds print each camera's counters every so many seconds; 0 never
 * @param seconds close after so many seconds; 0 runs until the window is closed, Q or SIGTERM
 */
public record ViewerOptions(Layout layout, String display, GrpcTarget control, GrpcTarget hub, long bufferNanos,
        int queueFrames, long noSignalNanos, boolean vsync, OverlayTiming overlayTiming, double statsSeconds,
        double seconds) {
}

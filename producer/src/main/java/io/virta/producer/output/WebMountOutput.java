package io.virta.producer.output;

import io.virta.producer.graph.FrameSink;
import io.virta.producer.web.WebView;
import io.virta.rtsp.media.AccessUnit;

/**
 * The camera in the browser live view ({@code webView:}) while it runs: its units muxed once into
 * fMP4 and handed to each event loop's bounded ring, so a slow browser loses fragments and no one
 * waits. One per run: opened when the camera starts, so that pages can connect and wait for the
 * first keyframe, and closed when it stops (pages are disconnected and reconnect by themselves).
 * Its counters are in the web view's own camera list, not in the camera's status.
 */
final class WebMountOutput implements CameraOutput {
    private final WebView view;
    private final String camera;
    private final FrameSink<AccessUnit> mount;

    WebMountOutput(WebView view, String camera) {
        this.view = view;
        this.camera = camera;
        this.mount = view.mountCamera(camera);
    }

    @Override
    public Feed feed() {
        return Feed.ACCESS_UNITS;
    }

    @Override
    public void onAccessUnit(AccessUnit unit) {
        mount.accept(unit);
    }

    @Override
    public void close() {
        view.unmountCamera(camera, mount);
    }

    @Override
    public String toString() {
        return "the web view mount";
    }
}

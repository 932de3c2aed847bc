package io.virta.producer.output;

import io.virta.producer.status.CameraStatus;
import io.virta.rtsp.media.AccessUnit;
import io.virta.rtsp.server.CameraMount;
import io.virta.rtsp.server.MediaMount;
import io.virta.rtsp.server.RtspServer;

/**
 * The camera re-served at {@code rtsp://host:port/<name>} while it runs ({@code rtspServer:}). The
 * {@link CameraMount} makes its media mount at the first unit and again when the codec changes,
 * and each client has a bounded ring of its own, so a slow client loses frames and no one waits.
 * One per run: opened when the camera starts (the path answers 404 until the first unit), closed
 * when it stops (its clients are disconnected).
 */
final class RtspMountOutput implements CameraOutput {
    private final CameraMount mount;

    RtspMountOutput(RtspServer server, String camera) {
        this.mount = new CameraMount(server, camera);
    }

    @Override
    public Feed feed() {
        return Feed.ACCESS_UNITS;
    }

    @Override
    public void onAccessUnit(AccessUnit unit) {
        mount.onAccessUnit(unit);
    }

    @Override
    public void report(OutputReport report) {
        MediaMount served = mount.mount();
        if (served != null) {
            report.restream(new CameraStatus.Restream(served.clients(), served.framesSent(), served.framesDropped()));
        }
    }

    @Override
    public void close() {
        mount.close();
    }

    @Override
    public String toString() {
        return "the RTSP mount";
    }
}

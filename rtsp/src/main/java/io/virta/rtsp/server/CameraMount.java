package io.virta.rtsp.server;

import io.virta.rtsp.media.AccessUnit;
import io.virta.rtsp.media.AccessUnitListener;
import io.virta.rtsp.media.VideoCodec;

/**
 * Re-serves one camera's access units at {@code rtsp://host:port/<camera>}. A camera's codec is
 * known only from its first unit (and may change when it reconnects), so the {@link MediaMount} is
 * made then, and replaced when the codec changes. Until the first unit the path answers 404.
 */
public final class CameraMount implements AccessUnitListener {
    private final RtspServer server;
    private final String camera;
    private volatile MediaMount mount;

    public CameraMount(RtspServer server, String camera) {
        this.server = server;
        this.camera = camera;
    }

    @Override
    public void onAccessUnit(AccessUnit unit) {
        MediaMount current = mount;
        VideoCodec codec = unit.codec();
        if (current == null || current.codec() != codec) {
            if (current != null) {
                server.unmount(current);
            }
            current = new MediaMount(camera, codec);
            mount = current;
            server.mount(current);
        }
        current.publish(unit);
    }

    /** The mount serving the camera now; null before its first unit. */
    public MediaMount mount() {
        return mount;
    }

    /** Stops serving the camera. */
    public void close() {
        MediaMount current = mount;
        if (current != null) {
            server.unmount(current);
        }
    }
}

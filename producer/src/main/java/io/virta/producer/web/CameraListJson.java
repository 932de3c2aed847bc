package io.virta.producer.web;

import io.virta.producer.status.CameraStatus;

import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * {@code GET /api/cameras}: every camera the producer knows, as the page shows it. See docs/web.md
 * for the fields.
 */
final class CameraListJson {
    private CameraListJson() {
    }

    /**
     * @param mounts  the web view's mount of a running camera, or null
     * @param rtspUrl the camera's re-served RTSP URL, or null when the RTSP server is off
     */
    static String of(List<CameraStatus> cameras, Function<String, FragmentMount> mounts,
            Function<String, String> rtspUrl) {
        Json json = new Json().open().openArray("cameras");
        for (CameraStatus camera : cameras) {
            FragmentMount mount = mounts.apply(camera.name());
            BrowserInitSegment init = mount == null ? null : mount.init();
            json.open().field("name", camera.name())
                    .field("state", camera.state().name().toLowerCase(Locale.ROOT))
                    .field("fps", camera.stats().fpsIn())
                    .field("width", init != null ? init.width() : camera.stats().pictureWidth())
                    .field("height", init != null ? init.height() : camera.stats().pictureHeight())
                    .field("codec", camera.codec() == null ? null : camera.codec().name().toLowerCase(Locale.ROOT))
                    .field("codecs", init == null ? null : init.codecs())
                    .field("lastError", camera.lastError())
                    .field("ws", "/ws/" + camera.name())
                    .field("rtsp", rtspUrl.apply(camera.name()))
                    .field("clients", mount == null ? 0 : mount.clients())
                    .field("fragmentsSent", mount == null ? 0 : mount.fragmentsSent())
                    .field("fragmentsDropped", mount == null ? 0 : mount.fragmentsDropped())
                    .close();
        }
        return json.closeArray().close().toString();
    }
}

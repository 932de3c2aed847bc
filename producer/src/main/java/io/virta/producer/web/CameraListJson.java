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
                    .field("fragmentsDropped", mount == null ? 0 : mount.fragmentsDropped());
            recording(json, camera.recording());
            json.close();
        }
        return json.closeArray().close().toString();
    }

    /** {@code "recording"}: null when the camera is not recorded, else its state, counters and store usage. */
    private static void recording(Json json, CameraStatus.Recording r) {
        if (!r.enabled()) {
            json.field("recording", (String) null);
            return;
        }
        CameraStatus.StoreUsage usage = r.usage();
        json.open("recording").field("state", r.state().name().toLowerCase(Locale.ROOT))
                .field("store", r.store().toString())
                .field("framesWritten", r.framesWritten())
                .field("bytesWritten", r.bytesWritten())
                .field("lag", r.lag())
                .field("framesLost", r.framesLost())
                .field("framesSkipped", r.framesSkipped())
                .field("lastSyncMicros", r.lastSyncMicros())
                .field("pauses", r.pauses())
                .field("problem", r.problem().isEmpty() ? null : r.problem())
                .field("storeUsedBytes", usage.storeBytes())
                .field("cameraUsedBytes", usage.cameraBytes())
                .field("diskFreeBytes", usage.freeBytes())
                .field("usageSampledMicros", usage.sampledAtMicros())
                .close();
    }
}

package io.virta.producer.recording;

import java.nio.file.Path;

/**
 * The producer configuration the recording tests run: one camera, not decoded, recorded into
 * {@code store}, with whatever top-level sections a test adds. Shared with the app's process tests.
 *
 * <pre>{@code
 * String yaml = RecordedCameraYaml.of(store, "lobby", rtsp.url("/cam"), "control: { listen: \"127.0.0.1:0\" }\n", 4);
 * }</pre>
 */
public final class RecordedCameraYaml {
    private RecordedCameraYaml() {
    }

    /**
     * @param topLevel      sections before {@code recording:}, each line ending in a newline; may be empty
     * @param bufferSeconds the camera's {@code record.bufferSeconds}
     */
    public static String of(Path store, String camera, String url, String topLevel, int bufferSeconds) {
        return topLevel + """
                recording: { store: "%s", segmentBytes: 1MiB }
                cameras:
                  - name: %s
                    url: %s
                    transport: tcp
                    decode: false
                    encoded: { capacity: 256KiB }
                    record: { enabled: true, bufferSeconds: %d }
                """.formatted(store, camera, url, bufferSeconds);
    }
}

package io.virta.recorder.ingest;

import io.virta.recorder.Recorder;
import io.virta.recorder.store.SegmentPolicy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A recorder in a child JVM, to be killed: {@code STORE CAMERA} records {@code CAMERA.h264} into
 * {@code STORE} and prints each bus sequence number once its frame was appended (with the kernel).
 */
public final class RecorderChild {
    private RecorderChild() {
    }

    public static void main(String[] args) throws Exception {
        AppendObserver printer = new AppendObserver() {
            @Override
            public void appended(long sequence) {
                System.out.println(sequence);
                System.out.flush();
            }
        };
        SegmentPolicy policy = SegmentPolicy.DEFAULT.withSegmentBytes(1 << 20).withSync(Duration.ofMillis(200));
        try (Recorder recorder = Recorder.open(Path.of(args[0]), policy, List.of(CameraChannel.h264(args[1])),
                IngestOptions.DEFAULT.withObserver(printer))) {
            Thread.sleep(Long.MAX_VALUE);
        }
    }
}

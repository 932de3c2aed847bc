package io.virta.bench.record;

import io.virta.recorder.ingest.AppendObserver;
import io.virta.recorder.ingest.CameraChannel;
import io.virta.recorder.ingest.ChannelRecorder;
import io.virta.recorder.ingest.IngestOptions;
import io.virta.recorder.store.RecordingStore;
import io.virta.recorder.store.SegmentPolicy;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The child of {@code virta bench record --part kills}: records the named cameras' channels into a
 * store and prints {@code CAMERA SEQUENCE} for every frame once its append returned, so the parent,
 * which kills it at a random moment, knows what the store owes it. Not a tool: {@code virta recorder}
 * is the standalone recorder.
 */
public final class KillableRecorder {
    private KillableRecorder() {
    }

    /** {@code STORE SYNC_MILLIS CAMERA...}. */
    public static void main(String[] args) throws Exception {
        Path store = Path.of(args[0]);
        SegmentPolicy policy = SegmentPolicy.DEFAULT.withSegmentBytes(16 << 20)
                .withSync(Duration.ofMillis(Long.parseLong(args[1])));
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false,
                java.nio.charset.StandardCharsets.US_ASCII);
        List<ChannelRecorder> recorders = new ArrayList<>();
        RecordingStore opened = RecordingStore.open(store, policy);
        for (int i = 2; i < args.length; i++) {
            String camera = args[i];
            AppendObserver printer = new AppendObserver() {
                @Override
                public void appended(long sequence) {
                    String line = camera + " " + sequence + "\n"; // one write: a kill tears at most the last line
                    synchronized (out) {
                        out.print(line);
                        out.flush();
                    }
                }
            };
            recorders.add(new ChannelRecorder(opened, CameraChannel.h264(camera), IngestOptions.DEFAULT.withObserver(printer)));
        }
        recorders.forEach(ChannelRecorder::start);
        synchronized (out) {
            out.println("ready");
            out.flush();
        }
        Thread.sleep(Long.MAX_VALUE); // until killed
    }
}

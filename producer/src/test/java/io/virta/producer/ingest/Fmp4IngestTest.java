package io.virta.producer.ingest;

import io.virta.bus.ChannelReader;
import io.virta.bus.ChannelType;
import io.virta.bus.Frame;
import io.virta.bus.PullStatus;
import io.virta.testkit.ExternalCommand;
import io.virta.testkit.GstRtspServer;
import io.virta.testkit.TestClips;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A producer ingesting RTSP from gst-rtsp-server publishes {@code <camera>.mp4}; a reader that
 * attaches while it runs starts at the next init segment, and the file it writes plays in ffprobe
 * with the RTP timeline: every frame, keyframes every 25, 40 ms steps.
 */
class Fmp4IngestTest {
    private static final int FRAGMENTS = 40;

    @Test
    void aLateReaderWritesAFileFfprobePlaysFromTheRtpTimeline(@TempDir Path dir) throws Exception {
        try (GstRtspServer server = GstRtspServer.builder().mount("/cam", TestClips.h264Small()).start();
             IngestHarness h = new IngestHarness("url: " + server.url("/cam") + "\ntransport: tcp\ndecode: false\n"
                     + "fmp4: { enabled: true, cells: 32, capacity: 512KiB }")) {
            h.awaitEvent("online", Duration.ofSeconds(20));
            ByteArrayOutputStream file = new ByteArrayOutputStream();
            int fragments = 0;
            boolean started = false;
            try (ChannelReader reader = ChannelReader.builder(h.camera + ".mp4").expect(ChannelType.FMP4)
                    .awaitWriter(Duration.ofSeconds(20)).start(ChannelReader.Start.NEXT).open()) {
                long giveUp = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (fragments < FRAGMENTS && System.nanoTime() < giveUp) {
                    PullStatus status = reader.pull(Duration.ofSeconds(5));
                    if (status != PullStatus.FRAME) {
                        assertTrue(status == PullStatus.TIMEOUT, "pull: " + status);
                        continue;
                    }
                    Frame f = reader.frame();
                    if (f.isFirst()) {
                        assertEquals("ftyp", f.boxType());
                        if (!started) {
                            file.writeBytes(bytes(f));
                        }
                        started = true;
                    } else if (started) {
                        assertEquals("moof", f.boxType());
                        assertTrue(fragments > 0 || f.isKeyframe(), "the first fragment after an init is a keyframe");
                        file.writeBytes(bytes(f));
                        fragments++;
                    }
                }
            }
            assertEquals(FRAGMENTS, fragments);
            Path out = dir.resolve("rtsp.mp4");
            Files.write(out, file.toByteArray());
            assertEquals(FRAGMENTS, TestClips.frameCount(out));
            ExternalCommand.Result frames = ExternalCommand.run(Duration.ofSeconds(30), ExternalCommand.FFPROBE, "-v",
                    "error", "-select_streams", "v:0", "-show_entries", "frame=key_frame,pts_time", "-of", "csv=p=0",
                    out.toString());
            assertTrue(frames.succeeded(), frames.describe());
            List<String[]> rows = frames.stdout().lines().filter(line -> !line.isBlank()).map(l -> l.split(",")).toList();
            assertEquals(FRAGMENTS, rows.size());
            // The reader joins at whichever keyframe comes next after it attaches (the camera is online, so
            // units already flow): the file starts there on the RTP timeline, a whole GOP (1 s) into the stream.
            double first = Double.parseDouble(rows.getFirst()[1]);
            assertEquals(0, first - Math.rint(first), 1e-6, "the first frame sits on a GOP boundary: " + first);
            for (int i = 0; i < rows.size(); i++) {
                assertEquals(i % TestClips.GOP == 0 ? "1" : "0", rows.get(i)[0], "key_frame of frame " + i);
                assertEquals(first + i * 0.04, Double.parseDouble(rows.get(i)[1]), 1e-6, "pts_time of frame " + i);
            }
        }
    }

    private static byte[] bytes(Frame f) {
        byte[] b = new byte[f.payloadSize()];
        f.payloadBuffer().get(0, b);
        assertTrue(f.isIntact(), "the cell was not overwritten while copied");
        return b;
    }
}

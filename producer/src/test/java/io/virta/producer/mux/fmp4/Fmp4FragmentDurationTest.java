package io.virta.producer.mux.fmp4;

import io.virta.bus.ChannelReader;
import io.virta.bus.ChannelSpec;
import io.virta.bus.ChannelType;
import io.virta.bus.ChannelWriter;
import io.virta.bus.Frame;
import io.virta.bus.PixelFormat;
import io.virta.bus.PullStatus;
import io.virta.producer.source.ffmpeg.FfmpegSource;
import io.virta.producer.source.ffmpeg.FfmpegSourceOptions;
import io.virta.testkit.ExternalCommand;
import io.virta.testkit.TestClips;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code fmp4.fragmentMillis}: a real clip's units (FFmpeg) through the publisher on a real bus
 * channel, read back and played by ffprobe: every frame, keyframes where the clip has them, 40 ms
 * steps, and fragments of 200 ms that start at keyframes, each keyframe fragment after an init.
 */
class Fmp4FragmentDurationTest {
    @Test
    void fragmentsGatherTwoHundredMillisecondsAndStartAtKeyframes(@TempDir Path dir) throws Exception {
        Path clip = TestClips.h264Small(); // 50 frames, 25 fps, a keyframe every 25
        int frames = TestClips.frameCount(clip);
        String name = "t.fmp4.duration." + ProcessHandle.current().pid();
        try (ChannelWriter writer = ChannelWriter.create(ChannelSpec.of(name, ChannelType.FMP4)
                .format(PixelFormat.FMP4).cells(64).capacity(512 * 1024));
             ChannelReader reader = ChannelReader.builder(name).expect(ChannelType.FMP4)
                     .start(ChannelReader.Start.NEXT).open()) {
            Fmp4Publisher publisher = new Fmp4Publisher(writer).fragmentMillis(200);
            AtomicLong units = new AtomicLong();
            java.util.concurrent.CountDownLatch flushed = new java.util.concurrent.CountDownLatch(1);
            try (FfmpegSource source = new FfmpegSource("fmp4-duration", FfmpegSourceOptions.of(clip.toString())
                    .withRealtime(false), unit -> {
                        publisher.onAccessUnit(unit);
                        if (units.incrementAndGet() == frames) {
                            publisher.flush(); // the clip's end: publish the last, still open fragment
                            flushed.countDown();
                        }
                    }, codec -> { }, null)) {
                source.start();
                // Until the last fragment is out, not a fixed pause after the last unit: the flush follows it.
                flushed.await(20, java.util.concurrent.TimeUnit.SECONDS);
            }
            assertEquals(frames, units.get());
            assertEquals(frames / 5, publisher.published(), "fragments of 5 frames; skipped " + publisher.skipped());

            List<String> cells = new ArrayList<>();
            ByteArrayOutputStream file = new ByteArrayOutputStream();
            while (reader.poll() == PullStatus.FRAME) {
                Frame f = reader.frame();
                cells.add(f.boxType() + (f.isFirst() ? "F" : "") + (f.isKeyframe() ? "K" : ""));
                // Every init segment is the same here; a file needs just the first.
                if (!f.isFirst() || file.size() == 0) {
                    file.writeBytes(f.payload().asSlice(0, f.payloadSize()).toArray(ValueLayout.JAVA_BYTE));
                }
            }
            List<String> gop = List.of("ftypF", "moofK", "moof", "moof", "moof", "moof");
            List<String> expected = new ArrayList<>(gop);
            expected.addAll(gop);
            assertEquals(expected, cells);

            Path out = dir.resolve("fragments.mp4");
            Files.write(out, file.toByteArray());
            ExternalCommand.Result probe = ExternalCommand.run(Duration.ofSeconds(30), ExternalCommand.FFPROBE, "-v",
                    "error", "-select_streams", "v:0", "-show_entries", "frame=key_frame,pts_time,pkt_duration_time",
                    "-of", "csv=p=0", out.toString());
            assertTrue(probe.succeeded(), probe.describe());
            assertEquals("", probe.stderr().trim(), probe.describe());
            List<String> lines = probe.stdout().strip().lines().filter(line -> !line.isBlank()).toList();
            assertEquals(frames, lines.size(), probe.stdout());
            for (int i = 0; i < lines.size(); i++) {
                String[] fields = lines.get(i).split(",");
                assertEquals(i % TestClips.GOP == 0 ? "1" : "0", fields[0], "key_frame of frame " + i);
                assertEquals(i * 0.04, Double.parseDouble(fields[1]), 1e-6, "pts_time of frame " + i);
                assertEquals(0.04, Double.parseDouble(fields[2]), 1e-6, "duration of frame " + i);
            }
        }
    }
}

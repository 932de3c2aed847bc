package io.virta.producer.mux.fmp4;

import io.virta.bus.ChannelReader;
import io.virta.bus.ChannelSpec;
import io.virta.bus.ChannelType;
import io.virta.bus.ChannelWriter;
import io.virta.bus.Frame;
import io.virta.bus.PixelFormat;
import io.virta.bus.PullStatus;
import io.virta.rtsp.media.AccessUnit;
import io.virta.rtsp.media.VideoCodec;
import io.virta.producer.source.ffmpeg.FfmpegSource;
import io.virta.producer.source.ffmpeg.FfmpegSourceOptions;
import io.virta.testkit.TestClips;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The publisher on a real bus channel, fed a real clip's units by FFmpeg, read back by a real reader. */
class Fmp4PublisherTest {
    private static String channelName(String what) {
        return "t.fmp4." + what + "." + ProcessHandle.current().pid();
    }

    @Test
    void anInitSegmentPrecedesEveryKeyframeFragment() throws Exception {
        var clip = TestClips.h264Small();
        int frames = TestClips.frameCount(clip);
        try (ChannelWriter writer = ChannelWriter.create(ChannelSpec.of(channelName("gop"), ChannelType.FMP4)
                .format(PixelFormat.FMP4).cells(128).capacity(256 * 1024));
             ChannelReader reader = ChannelReader.builder(writer.name()).expect(ChannelType.FMP4)
                     .start(ChannelReader.Start.NEXT).open()) {
            Fmp4Publisher publisher = new Fmp4Publisher(writer).streamId(7);
            try (FfmpegSource source = new FfmpegSource("fmp4-bus", FfmpegSourceOptions.of(clip.toString())
                    .withRealtime(false), publisher, codec -> { }, null)) {
                source.start();
                long giveUp = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (publisher.published() < frames && System.nanoTime() < giveUp) {
                    Thread.sleep(20);
                }
            }
            assertEquals(frames, publisher.published(), "fragments; skipped " + publisher.skipped());
            List<String> cells = new ArrayList<>();
            while (reader.poll() == PullStatus.FRAME) {
                Frame f = reader.frame();
                assertEquals(7, f.streamId());
                assertEquals(320, f.width());
                cells.add(f.boxType() + (f.isFirst() ? "F" : "") + (f.isKeyframe() ? "K" : ""));
            }
            assertEquals(frames + frames / TestClips.GOP, cells.size(), cells.toString());
            for (int i = 0; i < cells.size(); i++) {
                boolean gopStart = i % (TestClips.GOP + 1) == 0;
                String expected = gopStart ? "ftypF" : (i % (TestClips.GOP + 1) == 1 ? "moofK" : "moof");
                assertEquals(expected, cells.get(i), "cell " + i + " of " + cells);
            }
            assertEquals(2, publisher.initSegments());
        }
    }

    @Test
    void publishingAUnitAllocatesNothingOnceWarm() throws Exception {
        byte[] stream = Files.readAllBytes(TestClips.h264Small());
        AccessUnit keyframe = unitFrom(stream, 0, true);
        AccessUnit delta = unitFrom(stream, 1, false);
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (ChannelWriter writer = ChannelWriter.create(ChannelSpec.of(channelName("alloc"), ChannelType.FMP4)
                .format(PixelFormat.FMP4).cells(8).capacity(64 * 1024))) {
            Fmp4Publisher publisher = new Fmp4Publisher(writer);
            long sequence = 0;
            double fewest = Double.MAX_VALUE;
            long giveUp = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (fewest > 0 && System.nanoTime() < giveUp) {
                long before = threads.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < 1000; i++) {
                    sequence++;
                    AccessUnit unit = sequence % 25 == 1 ? keyframe : delta;
                    publisher.onAccessUnit(unit.sequence(sequence).rtpTimestamp(sequence * 3600));
                }
                fewest = Math.min(fewest, (threads.getCurrentThreadAllocatedBytes() - before) / 1000.0);
            }
            assertEquals(0.0, fewest, "bytes allocated per unit, best round");
            assertTrue(publisher.published() > 0);
        }
    }

    /** The {@code index}-th access unit of an Annex-B stream with AUDs (NAL type 9 starts each). */
    private static AccessUnit unitFrom(byte[] stream, int index, boolean keyframe) {
        ByteBuffer b = ByteBuffer.wrap(stream);
        List<Integer> auds = new ArrayList<>();
        int start = io.virta.rtsp.media.AnnexB.nextNalStart(b, 0, stream.length);
        while (start >= 0) {
            if ((stream[start] & 0x1F) == 9) {
                auds.add(start - 4);
            }
            start = io.virta.rtsp.media.AnnexB.nextNalStart(b, start + 1, stream.length);
        }
        int from = auds.get(index);
        int to = auds.get(index + 1);
        AccessUnit unit = AccessUnit.allocate(to - from);
        unit.data().put(stream, from, to - from).flip();
        return unit.keyframe(keyframe).codec(VideoCodec.H264);
    }
}

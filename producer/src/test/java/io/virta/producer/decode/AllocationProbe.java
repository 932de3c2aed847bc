package io.virta.producer.decode;

import io.virta.bus.ChannelSpec;
import io.virta.bus.ChannelType;
import io.virta.bus.ChannelWriter;
import io.virta.rtsp.media.AccessUnit;
import io.virta.rtsp.media.VideoCodec;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;

/**
 * Run by {@link AllocationTest} in a JVM without escape analysis, where every temporary object is
 * really allocated: prints the bytes one bus {@code claim()} + {@code commit()} allocates there, and
 * the bytes the decode stage allocates per unit beyond its claims. Arguments: the B-frame clip's
 * Annex-B file and its container (for presentation times).
 */
public final class AllocationProbe {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private AllocationProbe() {
    }

    public static void main(String[] args) throws Exception {
        String base = "t.decode.probe." + ProcessHandle.current().pid();
        double claimBytes = busClaimBytes(base + ".raw");
        AnnexBStream stream = AnnexBStream.read(Path.of(args[0]), VideoCodec.H264);
        long[] pts = TestClips.packetPresentationMicros(Path.of(args[1]));
        AccessUnit[] pool = {DecodePipeline.unitFor(stream), DecodePipeline.unitFor(stream),
                DecodePipeline.unitFor(stream)};
        byte[][] units = new byte[stream.unitCount()][];
        for (int i = 0; i < units.length; i++) {
            stream.copyTo(i, pool[0]);
            units[i] = new byte[pool[0].size()];
            pool[0].data().get(0, units[i]);
        }
        try (ChannelWriter yuvWriter = ChannelWriter.create(ChannelSpec.yuv420p(base + ".yuv", 640, 360));
             ChannelWriter rgbWriter = ChannelWriter.create(ChannelSpec.rgb24(base + ".rgb", 320, 180));
             ChannelWriter encodedWriter = ChannelWriter.create(ChannelSpec.of(base + ".h264", ChannelType.ENCODED)
                     .capacity(stream.maxUnitSize()));
             I420Publisher yuv = new I420Publisher(yuvWriter);
             RgbPublisher rgb = new RgbPublisher(rgbWriter, ScalingAlgorithm.BICUBIC, 60_000);
             VideoDecoder decoder = new VideoDecoder(VideoCodec.H264, DecodedFrameListener.all(yuv, rgb))) {
            EncodedPublisher encoded = new EncodedPublisher(encodedWriter);
            long thread = Thread.currentThread().threadId();
            int perRound = 2 * units.length;
            long sequence = 0;
            double fewest = Double.MAX_VALUE;
            for (int round = 0; round < 40; round++) {
                long claimsBefore = yuv.published() + rgb.published() + encoded.published();
                long before = THREADS.getThreadAllocatedBytes(thread);
                for (int n = 0; n < perRound; n++) {
                    int i = (int) (sequence % units.length);
                    AccessUnit unit = pool[(int) (sequence % pool.length)];
                    unit.data().clear();
                    unit.data().put(units[i]).flip();
                    long capture = sequence / units.length * units.length * 40_000L + pts[i];
                    sequence++;
                    unit.sequence(sequence).captureTimeMicros(capture).arrivalTimeMicros(capture);
                    decoder.decode(unit);
                    encoded.onAccessUnit(unit);
                }
                long bytes = THREADS.getThreadAllocatedBytes(thread) - before;
                long claims = yuv.published() + rgb.published() + encoded.published() - claimsBefore;
                fewest = Math.min(fewest, (bytes - claims * claimBytes) / perRound);
            }
            System.out.println("claimBytes=" + claimBytes + " beyondClaimsPerUnit=" + fewest);
        }
    }

    private static double busClaimBytes(String name) {
        try (ChannelWriter writer = ChannelWriter.create(ChannelSpec.of(name, ChannelType.RAW).capacity(64))) {
            long thread = Thread.currentThread().threadId();
            double fewest = Double.MAX_VALUE;
            for (int round = 0; round < 10; round++) {
                long before = THREADS.getThreadAllocatedBytes(thread);
                for (int i = 0; i < 20_000; i++) {
                    writer.claim().payloadSize(8).captureTimeMicros(1).arrivalTimeMicros(1);
                    writer.commit();
                }
                fewest = Math.min(fewest, (THREADS.getThreadAllocatedBytes(thread) - before) / 20_000.0);
            }
            return fewest;
        }
    }
}

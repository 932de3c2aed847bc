package io.virta.producer.decode;

import io.virta.bus.ChannelReader;
import io.virta.bus.ChannelSpec;
import io.virta.bus.ChannelWriter;
import io.virta.bus.ColorMatrix;
import io.virta.bus.ColorRange;
import io.virta.bus.Frame;
import io.virta.bus.PullStatus;
import io.virta.rtsp.media.AccessUnit;
import io.virta.rtsp.media.VideoCodec;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A decoder publishing into real bus channels (I420, and RGB if asked), with a reader on each that
 * records what arrived: MD5 of each frame's payload and its metadata.
 */
final class DecodePipeline implements AutoCloseable {
    private static final AtomicInteger COUNTER = new AtomicInteger();

    final VideoDecoder decoder;
    final ChannelWriter yuvWriter;
    final I420Publisher yuv;
    final ChannelWriter rgbWriter;
    final RgbPublisher rgb;
    final Channel yuvFrames;
    final Channel rgbFrames;

    /** What a reader saw on one channel. */
    static final class Channel {
        final List<String> md5 = new ArrayList<>();
        final List<Long> captureMicros = new ArrayList<>();
        final List<Long> arrivalMicros = new ArrayList<>();
        final List<Boolean> keyframes = new ArrayList<>();
        final List<Boolean> discontinuities = new ArrayList<>();
        final List<int[]> sizes = new ArrayList<>();
        final List<byte[]> payloads = new ArrayList<>();
        final List<ColorMatrix> matrices = new ArrayList<>();
        final List<ColorRange> ranges = new ArrayList<>();
        boolean keepPayloads;
        private final ChannelReader reader;

        Channel(ChannelReader reader) {
            this.reader = reader;
        }

        void collect() {
            while (true) {
                PullStatus status = reader.poll();
                if (status == PullStatus.TIMEOUT) {
                    return;
                }
                if (status != PullStatus.FRAME) {
                    throw new AssertionError("reader of " + reader.name() + " got " + status);
                }
                Frame f = reader.frame();
                md5.add(md5(f));
                captureMicros.add(f.captureTimeMicros());
                arrivalMicros.add(f.arrivalTimeMicros());
                keyframes.add(f.isKeyframe());
                discontinuities.add(f.isDiscontinuity());
                sizes.add(new int[] {f.width(), f.height(), f.stride(0), f.stride(1), f.stride(2), f.planeOffset(1),
                        f.planeOffset(2), f.payloadSize()});
                matrices.add(f.colorMatrix());
                ranges.add(f.colorRange());
                if (keepPayloads) {
                    byte[] copy = new byte[f.payloadSize()];
                    f.payloadBuffer().get(copy);
                    payloads.add(copy);
                }
            }
        }

        int count() {
            return md5.size();
        }
    }

    /** I420 only, at {@code width} x {@code height} nominal size. */
    DecodePipeline(VideoCodec codec, int threads, int width, int height) {
        this(codec, threads, width, height, 0, 0, ScalingAlgorithm.BICUBIC, 0);
    }

    /** I420, plus RGB at {@code rgbWidth} x {@code rgbHeight} when that is not 0. */
    DecodePipeline(VideoCodec codec, int threads, int width, int height, int rgbWidth, int rgbHeight,
            ScalingAlgorithm algorithm, long minIntervalMicros) {
        String base = "t.decode." + ProcessHandle.current().pid() + "." + COUNTER.incrementAndGet();
        yuvWriter = ChannelWriter.create(ChannelSpec.yuv420p(base + ".yuv", width, height).cells(64));
        yuvFrames = new Channel(ChannelReader.builder(base + ".yuv").start(ChannelReader.Start.NEXT).open());
        yuv = new I420Publisher(yuvWriter).streamId(7);
        if (rgbWidth > 0) {
            rgbWriter = ChannelWriter.create(ChannelSpec.rgb24(base + ".rgb", rgbWidth, rgbHeight).cells(64));
            rgbFrames = new Channel(ChannelReader.builder(base + ".rgb").start(ChannelReader.Start.NEXT).open());
            rgb = new RgbPublisher(rgbWriter, algorithm, minIntervalMicros);
            decoder = new VideoDecoder(codec, threads, DecodedFrameListener.all(yuv, rgb));
        } else {
            rgbWriter = null;
            rgbFrames = null;
            rgb = null;
            decoder = new VideoDecoder(codec, threads, yuv);
        }
    }

    void decode(AccessUnit unit) {
        decoder.decode(unit);
        collect();
    }

    void flush() {
        decoder.flush();
        collect();
    }

    /** Decodes every unit of {@code stream}, unit i captured at {@code captureMicros[i]}, then flushes. */
    void decodeAll(AnnexBStream stream, long[] captureMicros) {
        AccessUnit unit = unitFor(stream);
        for (int i = 0; i < stream.unitCount(); i++) {
            load(stream, i, unit, captureMicros[i]);
            decode(unit);
        }
        flush();
    }

    static AccessUnit unitFor(AnnexBStream stream) {
        return AccessUnit.allocate(stream.maxUnitSize() + VideoDecoder.PADDING);
    }

    /** Puts unit {@code i} into {@code unit} with times derived from its capture time, sequence i + 1. */
    static void load(AnnexBStream stream, int i, AccessUnit unit, long captureMicros) {
        if (!stream.copyTo(i, unit)) {
            throw new AssertionError("unit " + i + " does not fit");
        }
        unit.captureTimeMicros(captureMicros).arrivalTimeMicros(captureMicros + 1000).sequence(i + 1)
                .rtpTimestamp(captureMicros * 9 / 100);
    }

    /** Capture times 40 ms apart from an arbitrary epoch, for clips without B-frames. */
    static long[] evenTimes(int count) {
        long[] t = new long[count];
        for (int i = 0; i < count; i++) {
            t[i] = 1_700_000_000_000_000L + i * 40_000L;
        }
        return t;
    }

    private void collect() {
        yuvFrames.collect();
        if (rgbFrames != null) {
            rgbFrames.collect();
        }
    }

    static String md5(Frame frame) {
        try {
            MessageDigest digest = MessageDigest.getInstance("MD5");
            digest.update(frame.payloadBuffer());
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        decoder.close();
        yuv.close();
        yuvFrames.reader.close();
        yuvWriter.close();
        if (rgb != null) {
            rgb.close();
            rgbFrames.reader.close();
            rgbWriter.close();
        }
    }
}

package io.virta.producer.source.ffmpeg;

import io.virta.producer.source.StreamEvents;
import io.virta.rtsp.media.AccessUnit;
import io.virta.rtsp.media.AccessUnitListener;
import io.virta.rtsp.media.VideoCodec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/** Keeps a copy of every unit and event a source delivers, for assertions after the fact. */
final class Recorder implements AccessUnitListener, StreamEvents {
    /** A unit as it was delivered. */
    record Unit(byte[] bytes, VideoCodec codec, boolean keyframe, long sequence, long rtpTimestamp, long captureMicros,
            long arrivalMicros, int spareCapacity) {
    }

    final List<Unit> units = new CopyOnWriteArrayList<>();
    final List<VideoCodec> codecs = new CopyOnWriteArrayList<>();
    final List<String> online = new CopyOnWriteArrayList<>();
    final List<String> offline = new CopyOnWriteArrayList<>();

    @Override
    public void onAccessUnit(AccessUnit unit) {
        byte[] bytes = new byte[unit.size()];
        unit.data().get(0, bytes);
        units.add(new Unit(bytes, unit.codec(), unit.isKeyframe(), unit.sequence(), unit.rtpTimestamp(),
                unit.captureTimeMicros(), unit.arrivalTimeMicros(), unit.data().capacity() - unit.size()));
    }

    void onCodec(VideoCodec codec) {
        codecs.add(codec);
    }

    @Override
    public void onOnline(String camera, boolean overTcp) {
        online.add(camera);
    }

    @Override
    public void onOffline(String camera, String reason) {
        offline.add(reason);
    }

    FfmpegSource source(String camera, FfmpegSourceOptions options) {
        return new FfmpegSource(camera, options, this, this::onCodec, this);
    }

    void awaitUnits(int count, Duration timeout) {
        awaitCondition(() -> units.size() >= count, timeout, () -> "expected " + count + " units, got " + units.size()
                + "; offline events: " + offline);
    }

    /** The first offline reason, waiting for it. */
    String awaitOffline(Duration timeout) {
        awaitCondition(() -> !offline.isEmpty(), timeout, () -> "no offline event; units so far: " + units.size());
        return offline.getFirst();
    }

    static void awaitCondition(java.util.function.BooleanSupplier condition, Duration timeout,
            java.util.function.Supplier<String> message) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail(message.get());
            }
            try {
                TimeUnit.MILLISECONDS.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted");
            }
        }
    }

    /** Units {@code [from, to)} concatenated into an elementary stream file that ffmpeg can read. */
    Path writeStream(Path directory, int from, int to) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Unit unit : units.subList(from, to)) {
            out.writeBytes(unit.bytes());
        }
        try {
            Files.createDirectories(directory);
            String extension = units.getFirst().codec() == VideoCodec.H265 ? ".hevc" : ".h264";
            Path file = Files.createTempFile(directory, "units-", extension);
            Files.write(file, out.toByteArray());
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** NAL unit types of a unit, in order; fails unless every NAL unit follows a 4-byte start code. */
    static List<Integer> nalTypes(Unit unit) {
        byte[] b = unit.bytes();
        List<Integer> types = new ArrayList<>();
        if (b.length < 5 || b[0] != 0 || b[1] != 0 || b[2] != 0 || b[3] != 1) {
            fail("unit " + unit.sequence() + " does not start with 00 00 00 01");
        }
        for (int i = 0; i + 2 < b.length; i++) {
            if (b[i] == 0 && b[i + 1] == 0 && b[i + 2] == 1) {
                if (i == 0 || b[i - 1] != 0) {
                    fail("unit " + unit.sequence() + " has a 3-byte start code at byte " + i);
                }
                if (i + 3 >= b.length) {
                    fail("unit " + unit.sequence() + " ends with a start code");
                }
                int header = b[i + 3] & 0xFF;
                types.add(unit.codec() == VideoCodec.H265 ? (header >> 1) & 0x3F : header & 0x1F);
            }
        }
        return types;
    }
}

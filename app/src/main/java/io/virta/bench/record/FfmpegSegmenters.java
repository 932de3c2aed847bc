package io.virta.bench.record;

import io.virta.bench.ProcessCpu;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The peer: one {@code ffmpeg -c copy -f segment} per camera, as Frigate records (10 s MP4 segments,
 * timestamps reset per segment), each fed the same clip at 25 fps through its standard input by a thread
 * of its own, so that one slow ffmpeg holds up no other.
 */
final class FfmpegSegmenters implements AutoCloseable {
    private final List<Process> processes = new ArrayList<>();
    private final List<Thread> feeders = new ArrayList<>();
    private volatile boolean running = true;

    FfmpegSegmenters(int count, RealClip clip, Path dir) throws IOException {
        for (int i = 0; i < count; i++) {
            Path out = dir.resolve("cam" + i);
            Files.createDirectories(out);
            Process ffmpeg = new ProcessBuilder("ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "h264",
                    "-framerate", Integer.toString(RealClip.FPS), "-i", "pipe:0", "-c", "copy", "-f", "segment",
                    "-segment_time", "10", "-segment_format", "mp4", "-reset_timestamps", "1",
                    out.resolve("%05d.mp4").toString())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            processes.add(ffmpeg);
            int offset = i;
            feeders.add(Thread.ofPlatform().name("bench-ffmpeg-feed-" + i).start(() -> feed(ffmpeg, clip, offset, count)));
        }
    }

    private void feed(Process ffmpeg, RealClip clip, int index, int count) {
        long interval = 1_000_000_000L / RealClip.FPS;
        long next = System.nanoTime() + interval * index / count;
        try (OutputStream in = ffmpeg.getOutputStream()) {
            for (int frame = 0; running; frame++) {
                LockSupport.parkNanos(next - System.nanoTime());
                in.write(clip.units.get(frame % clip.units.size()));
                in.flush();
                next += interval;
            }
        } catch (IOException ended) {
            // ffmpeg exited: its CPU figure says so
        }
    }

    /** CPU seconds all the ffmpeg processes have used so far. */
    double cpuSeconds() {
        return ProcessCpu.seconds(processes.stream().map(Process::pid).toList());
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        for (Thread feeder : feeders) {
            feeder.join();
        }
        for (Process process : processes) {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}

package io.virta.bench.viewer;

import io.virta.bench.ProcessCpu;
import io.virta.producer.supervise.JvmLaunch;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code virta viewer} as its own process, the way users run it, printing its counters every second
 * ({@code --stats 1}). Each block of stats lines ends with the viewer's redraw line; when it arrives,
 * the CPU time of the viewer and of its companions (the X server, the producer) is read at once, so
 * that counters and CPU time cover the same seconds.
 */
final class ViewerChild implements AutoCloseable {
    private static final Pattern REDRAWS = Pattern.compile("viewer: redraws (\\d+) in ([\\d.]+) s");

    /** One block of stats lines, with the CPU time used up to the moment it was printed. */
    record Block(List<StreamCounters> streams, long redraws, double viewerSeconds, double viewerCpu,
            double[] companionCpu) {
        boolean allStreamsReceived() {
            return streams.stream().allMatch(s -> s.received() > 0);
        }
    }

    /** What happened between two blocks. */
    record Window(List<StreamCounters> streams, long redraws, double seconds, double viewerCpu,
            double[] companionCpu) {
        StreamCounters total() {
            return StreamCounters.sum(streams);
        }
    }

    private final Process process;
    private final List<DoubleSupplier> companions;
    private final List<String> lines = new ArrayList<>();
    private final List<Block> blocks = new ArrayList<>();

    private ViewerChild(Process process, List<DoubleSupplier> companions) {
        this.process = process;
        this.companions = companions;
        Thread.ofPlatform().daemon().name("bench-viewer-output").start(this::read);
    }

    /**
     * Starts {@code virta viewer} with {@code args} and {@code --stats 1}; {@code companions} give other
     * processes' CPU seconds so far.
     */
    static ViewerChild start(List<String> args, List<DoubleSupplier> companions) throws IOException {
        List<String> all = new ArrayList<>(List.of("viewer"));
        all.addAll(args);
        all.addAll(List.of("--stats", "1"));
        Process p = new ProcessBuilder(JvmLaunch.likeThisJvm("io.virta.cli.Virta").command(all)).redirectErrorStream(true)
                .start();
        return new ViewerChild(p, List.copyOf(companions));
    }

    private void read() {
        List<StreamCounters> block = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                StreamCounters counters = line.startsWith("stats ") ? StreamCounters.parse(line) : null;
                Matcher redraws = REDRAWS.matcher(line);
                Block done = null;
                if (counters != null) {
                    block.add(counters);
                } else if (redraws.matches() && !block.isEmpty()) {
                    done = new Block(List.copyOf(block), Long.parseLong(redraws.group(1)),
                            Double.parseDouble(redraws.group(2)), ProcessCpu.seconds(process.pid()),
                            companionCpu());
                    block.clear();
                } else if (line.startsWith("summary ")) {
                    block.clear();   // the exit's counters: not a block to measure with
                }
                synchronized (lines) {
                    lines.add(line);
                    if (done != null) {
                        blocks.add(done);
                    }
                    lines.notifyAll();
                }
            }
        } catch (IOException | RuntimeException ended) {
            // The process ended, possibly between reading its line and its CPU time.
        }
        synchronized (lines) {
            lines.notifyAll();
        }
    }

    /**
     * Waits until every stream has received frames, lets {@code warmupSeconds} more pass, then measures
     * {@code seconds}: the difference between the stats blocks at those times.
     */
    Window measure(int warmupSeconds, int seconds, int startTimeoutSeconds) throws InterruptedException {
        int live = awaitBlock(startTimeoutSeconds, -1);
        Block first = blockAt(awaitBlock(warmupSeconds + 5, live + warmupSeconds));
        Block last = blockAt(awaitBlock(seconds + 5, live + warmupSeconds + seconds));
        List<StreamCounters> streams = new ArrayList<>();
        for (int s = 0; s < last.streams().size(); s++) {
            streams.add(last.streams().get(s).minus(first.streams().get(s)));
        }
        double[] companionCpu = new double[companions.size()];
        for (int c = 0; c < companionCpu.length; c++) {
            companionCpu[c] = last.companionCpu()[c] - first.companionCpu()[c];
        }
        return new Window(streams, last.redraws() - first.redraws(), last.viewerSeconds() - first.viewerSeconds(),
                last.viewerCpu() - first.viewerCpu(), companionCpu);
    }

    private double[] companionCpu() {
        double[] cpu = new double[companions.size()];
        for (int c = 0; c < cpu.length; c++) {
            cpu[c] = companions.get(c).getAsDouble();
        }
        return cpu;
    }

    private Block blockAt(int index) {
        synchronized (lines) {
            return blocks.get(index);
        }
    }

    /** The index of block {@code index}, or with -1 of the first block in which every stream has frames. */
    private int awaitBlock(int timeoutSeconds, int index) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        synchronized (lines) {
            while (true) {
                if (index >= 0 && blocks.size() > index) {
                    return index;
                }
                if (index < 0) {
                    for (int b = 0; b < blocks.size(); b++) {
                        if (blocks.get(b).allStreamsReceived()) {
                            return b;
                        }
                    }
                }
                long left = end - System.nanoTime();
                if (!process.isAlive() || left <= 0) {
                    throw new IllegalStateException("the viewer " + (process.isAlive() ? "printed no frames within "
                            + timeoutSeconds + " s" : "exited (" + process.exitValue() + ")") + "; its output:\n"
                            + tail());
                }
                lines.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
        }
    }

    private String tail() {
        synchronized (lines) {
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        }
    }

    long pid() {
        return process.pid();
    }

    /** SIGTERM, as a user's Ctrl-C; the viewer prints its summary and exits. */
    @Override
    public void close() throws InterruptedException {
        process.toHandle().destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }
}

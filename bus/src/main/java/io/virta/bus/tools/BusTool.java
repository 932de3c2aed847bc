package io.virta.bus.tools;

import io.virta.bus.BusException;
import io.virta.bus.ChannelReader;
import io.virta.bus.ChannelSpec;
import io.virta.bus.ChannelType;
import io.virta.bus.ChannelWriter;
import io.virta.bus.ColorMatrix;
import io.virta.bus.ColorRange;
import io.virta.bus.Frame;
import io.virta.bus.PullStatus;
import io.virta.bus.WritableFrame;

import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The operations behind {@code virta bus write}, {@code read} and {@code latency}: publish test frames,
 * read and verify them, and measure hand-off latency ({@code ls} and {@code clean} are
 * {@link ChannelInspector}'s). Python's {@code python3 -m virta.bus.tools} takes the same commands and
 * prints the same lines, so tests drive either language alike. The command line that builds the
 * options is the app's ({@code virta bus}); this module keeps no parser.
 *
 * <p>Each operation runs on the calling thread, prints its lines to {@code out} as they happen (flushed
 * at once, so that a process reading them sees each when it is printed) and returns the exit status.
 * A bad channel name, type or size throws {@link BusException} or {@link IllegalArgumentException}
 * before anything is created.
 *
 * <pre>{@code
 * int status = BusTool.read(new BusTool.Read("lobby.rgb", 100, 5, 1, 0, ChannelReader.Start.NEWEST, 0,
 *         Optional.empty(), 0, 0, 0), System.out);
 * }</pre>
 */
public final class BusTool {
    /**
     * What {@code write} publishes: {@code count} frames of {@code type} at {@code fps} (0: as fast as
     * possible), every byte of frame {@code s} being {@code s % 251}.
     *
     * @param width the frame width of rgb24 and yuv420p channels (other types have none)
     * @param height the frame height of rgb24 and yuv420p channels
     * @param payloadBytes the payload of each frame; empty: the whole cell of the type's frame size
     * @param waitReaders readers to wait for (up to 30 s) before the first frame
     * @param lingerSeconds how long the channel stays open after the last frame
     * @param exitWithoutClosing halt the JVM after the last frame without closing, as a crash would
     */
    public record Write(String channel, ChannelType type, int width, int height, OptionalLong payloadBytes, int cells,
            long count, double fps, long waitReaders, double lingerSeconds, ColorMatrix colorMatrix,
            ColorRange colorRange, boolean exitWithoutClosing) {
    }

    /**
     * What {@code read} attaches to and how long it goes on: until {@code count} frames, the end of the
     * stream, or {@code maxTimeouts} pulls in a row that time out.
     *
     * @param delayMillis sleep after each frame: a deliberately slow reader
     * @param waitWriterSeconds how long to wait for a channel that does not exist yet (0: it must exist)
     * @param expectType refuse a channel of another type
     * @param expectWidth refuse a channel of another frame width (0: any; with {@code expectHeight})
     * @param spinMicros spin this long before blocking in each pull
     */
    public record Read(String channel, long count, double timeoutSeconds, long maxTimeouts, long delayMillis,
            ChannelReader.Start start, double waitWriterSeconds, Optional<ChannelType> expectType, int expectWidth,
            int expectHeight, long spinMicros) {
    }

    /**
     * What {@code latency} measures: {@code count} frames of {@code channel} after {@code warmup} more,
     * once a private channel of its own has given the JIT {@code jitWarmupFrames} pulls to compile.
     */
    public record Latency(String channel, int count, int warmup, long spinMicros, int jitWarmupFrames) {
    }

    private BusTool() {
    }

    /** Every byte of test frame {@code s} equals {@code s % 251}: a torn or misplaced frame shows. */
    public static byte patternByte(long sequence) {
        return (byte) (sequence % 251);
    }

    /** Publishes the test frames; prints READY once the channel exists and DONE COUNT after the last frame. */
    public static int write(Write options, PrintStream out) {
        ChannelSpec spec = ChannelSpec.of(options.channel(), options.type()).cells(options.cells());
        if (options.type() == ChannelType.RGB24 || options.type() == ChannelType.YUV420P) {
            spec.size(options.width(), options.height());
        }
        options.payloadBytes().ifPresent(spec::capacity);
        ChannelWriter writer = ChannelWriter.create(spec);
        out.println("READY");
        out.flush();
        long giveUp = System.nanoTime() + 30_000_000_000L;
        while (writer.readerCount() < options.waitReaders()) {
            if (System.nanoTime() - giveUp > 0) {
                writer.close();
                throw new BusException("channel '" + options.channel() + "': " + options.waitReaders()
                        + " readers did not attach in 30 s");
            }
            sleepUntil(System.nanoTime() + 10_000_000);
        }
        long payload = options.payloadBytes().orElse(writer.capacity());
        long interval = options.fps() > 0 ? (long) (1e9 / options.fps()) : 0;
        long next = System.nanoTime();
        for (long i = 0; i < options.count(); i++) {
            if (interval > 0) {
                next += interval;
                sleepUntil(next);
            }
            WritableFrame frame = writer.claim();
            frame.payload().asSlice(0, payload).fill(patternByte(frame.sequence()));
            frame.payloadSize(payload).keyframe(frame.sequence() % 25 == 1).color(options.colorMatrix(),
                    options.colorRange());
            writer.commit();
        }
        out.println("DONE " + options.count());
        out.flush();
        if (options.exitWithoutClosing()) {
            Runtime.getRuntime().halt(0);
        }
        sleepUntil(System.nanoTime() + (long) (options.lingerSeconds() * 1e9));
        writer.close();
        return 0;
    }

    /**
     * Attaches, verifies each frame and prints one JSON object per line: ready, frame, timeout, end,
     * restarted, died and, last, summary. A frame line carries the colour codes of docs/bus-format.md
     * 3.3/3.4 as colorMatrix and colorRange.
     */
    public static int read(Read options, PrintStream out) {
        ChannelReader.Builder builder = ChannelReader.builder(options.channel())
                .start(options.start())
                .awaitWriter(Duration.ofMillis((long) (options.waitWriterSeconds() * 1000)))
                .spin(Duration.ofNanos(options.spinMicros() * 1000));
        options.expectType().ifPresent(builder::expect);
        if (options.expectWidth() > 0) {
            builder.expectSize(options.expectWidth(), options.expectHeight());
        }
        long count = options.count();
        long timeout = (long) (options.timeoutSeconds() * 1e9);
        long maxTimeouts = options.maxTimeouts();
        long delayMillis = options.delayMillis();
        long frames = 0;
        long bad = 0;
        long timeoutsInARow = 0;
        PullStatus previous = null;
        try (ChannelReader reader = builder.open()) {
            out.println("{\"event\":\"ready\"}");
            out.flush();
            loop:
            while (frames < count) {
                PullStatus status = reader.pull(timeout);
                switch (status) {
                    case FRAME, OVERRUN -> {
                        timeoutsInARow = 0;
                        frames++;
                        Frame frame = reader.frame();
                        // Intact when verified is what counts (section 5.2): a frame overwritten during the
                        // delay below was used whole, and the next pull reports it as lost.
                        boolean ok = hasPattern(frame) && frame.isIntact();
                        if (!ok) {
                            bad++;
                        }
                        out.println("{\"event\":\"frame\",\"seq\":" + frame.sequence() + ",\"lost\":" + frame.lost()
                                + ",\"size\":" + frame.payloadSize() + ",\"width\":" + frame.width()
                                + ",\"height\":" + frame.height() + ",\"colorMatrix\":" + frame.colorMatrix().code()
                                + ",\"colorRange\":" + frame.colorRange().code() + ",\"keyframe\":" + frame.isKeyframe()
                                + ",\"damaged\":" + frame.isDamaged() + ",\"ok\":" + ok + "}");
                        if (delayMillis > 0) {
                            sleepUntil(System.nanoTime() + delayMillis * 1_000_000);
                        }
                    }
                    case TIMEOUT -> {
                        out.println("{\"event\":\"timeout\"}");
                        if (++timeoutsInARow >= maxTimeouts) {
                            break loop;
                        }
                    }
                    case END_OF_STREAM -> {
                        out.println("{\"event\":\"end\"}");
                        break loop;
                    }
                    case WRITER_RESTARTED -> {
                        timeoutsInARow = 0;
                        out.println("{\"event\":\"restarted\"}");
                    }
                    case WRITER_DIED -> {
                        // A death reported again is the wait for a new writer timing out.
                        if (previous == PullStatus.WRITER_DIED && ++timeoutsInARow >= maxTimeouts) {
                            out.println("{\"event\":\"died\"}");
                            break loop;
                        }
                        out.println("{\"event\":\"died\"}");
                    }
                }
                previous = status;
                out.flush();
            }
            out.println("{\"event\":\"summary\",\"frames\":" + frames + ",\"lost\":" + reader.lost() + ",\"bad\":" + bad
                    + ",\"overruns\":" + reader.overruns() + "}");
            out.flush();
        }
        return 0;
    }

    /** True when every byte of the payload is the test pattern of the frame's sequence number. */
    static boolean hasPattern(Frame frame) {
        MemorySegment payload = frame.payload();
        byte b = patternByte(frame.sequence());
        long word = (b & 0xFFL) * 0x0101010101010101L;
        long n = payload.byteSize();
        long i = 0;
        for (; i + 8 <= n; i += 8) {
            if (payload.get(ValueLayout.JAVA_LONG_UNALIGNED, i) != word) {
                return false;
            }
        }
        for (; i < n; i++) {
            if (payload.get(ValueLayout.JAVA_BYTE, i) != b) {
                return false;
            }
        }
        return true;
    }

    /**
     * Prints p50/p99/p99.9/max of (time the pull returned - the frame's commit time), in microseconds,
     * as one JSON line; status 1 when fewer frames than asked for came.
     */
    public static int latency(Latency options, PrintStream out) {
        String name = options.channel();
        int count = options.count();
        int warmup = options.warmup();
        Duration spin = Duration.ofNanos(options.spinMicros() * 1000);
        warmUpTheJit(spin, options.jitWarmupFrames());
        long[] samples = new long[count];
        int n = 0;
        try (ChannelReader reader = ChannelReader.builder(name).start(ChannelReader.Start.NEXT).spin(spin).open()) {
            System.err.println("ready");
            // The same compiled method as in the JIT warm-up: first the writer's warm-up frames, then the samples.
            if (warmup <= 0 || pullInto(reader, new long[warmup], 0) == warmup) {
                n = pullInto(reader, samples, 0);
            }
        }
        out.println(LatencyStats.json("java", samples, n));
        return n == count ? 0 : 1;
    }

    /** Frames of the JIT warm-up: enough calls of the pull path for C2 to compile it (Tier4 thresholds). */
    public static final int JIT_WARMUP_FRAMES = 20_000;
    /** Frames per call of {@link #pullInto} in the warm-up: 1,000 calls, enough for C2 to compile that method too. */
    static final int WARM_UP_BATCH = 20;

    /**
     * Pulls frames into {@code samples} from index {@code from} until it is full; returns how many
     * it holds then (fewer when no frame came for 10 s). The measuring loop is this method, called by the
     * JIT warm-up in short batches, so that it is compiled code when it measures (a loop run once
     * stays in the interpreter), as a long-running reader's loop is.
     */
    static int pullInto(ChannelReader reader, long[] samples, int from) {
        int n = from;
        while (n < samples.length) {
            long latency = pullOne(reader);
            if (latency < 0) {
                return n;
            }
            samples[n++] = latency;
        }
        return n;
    }

    /** One pull, and the time from the frame's commit to the pull's return; -1 when no frame came. */
    private static long pullOne(ChannelReader reader) {
        PullStatus status = reader.pull(10_000_000_000L);
        long now = System.nanoTime();
        return status.hasFrame() ? now - reader.frame().commitMonotonicNanos() : -1;
    }

    /**
     * Runs the whole blocking pull path {@code frames} times against a private channel in this process
     * before the measured run: a latency reader measures the steady state a long-running reader lives in,
     * not the interpreter and C1 code of its first thousands of frames. The writer thread commits, then
     * sleeps briefly, so that the reader blocks on its doorbell and is woken each time as in the run.
     */
    private static void warmUpTheJit(Duration spin, int frames) {
        if (frames <= 0) {
            return;
        }
        String warm = "bench.jit." + ProcessHandle.current().pid();
        try (ChannelWriter writer = ChannelWriter.create(ChannelSpec.of(warm, ChannelType.RAW).capacity(64).cells(64));
             // At most 100 µs of spin: long enough that frames often arrive while it spins (so C2 compiles
             // that branch too, not an uncommon trap), short enough not to starve the committer on one CPU.
             ChannelReader reader = ChannelReader.builder(warm).start(ChannelReader.Start.NEXT)
                     .spin(spin.isZero() ? spin : Duration.ofNanos(Math.min(spin.toNanos(), 100_000))).open()) {
            // Pulled on a thread of its own: the scheduler charges the CPU time of the warm-up to that
            // thread, not to the measuring one, which then wakes as promptly as a reader that was idle.
            // It stops after `frames` frames, before the channel closes: had it pulled the end of the
            // stream, C2 would meet a branch its profile never took, throw the compiled pull path away
            // (an uncommon trap), and the measured run would use C1 code with profiling. For the same
            // reason it lets go of its frame after each batch, as a new reader's first pull finds none.
            Thread puller = Thread.ofPlatform().start(() -> {
                long[] batch = new long[WARM_UP_BATCH];
                for (int pulled = 0; pulled < frames && pullInto(reader, batch, 0) == batch.length; pulled += batch.length) {
                    reader.skipToNewest();
                }
            });
            Thread committer = Thread.ofPlatform().start(() -> {
                while (puller.isAlive()) {
                    writer.claim().payloadSize(64);
                    writer.commit();
                    LockSupport.parkNanos(20_000);
                }
                writer.close();
            });
            try {
                committer.join();
                puller.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    static void sleepUntil(long deadline) {
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            LockSupport.parkNanos(left);
        }
    }
}

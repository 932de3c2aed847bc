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
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code virta bus ...}: write test frames, read and verify them, list and clean channels, and measure
 * hand-off latency. Python's {@code python3 -m virta.bus.tools} takes the same commands and prints the
 * same lines, so tests drive either language alike.
 */
public final class BusTool {
    static final String USAGE = """
            usage: virta bus <command> [options]

            commands:
              write NAME    publish test frames (every byte of frame s is s % 251)
              read NAME     attach, verify and print each frame as a JSON line
              ls            list channels in /dev/shm with their writer and readers
              clean         remove channels whose writer is dead, and doorbells of dead readers
              latency NAME  a benchmark reader: hand-off latency percentiles as JSON

            'virta bus <command> --help' shows a command's options.
            """;

    static final String WRITE_USAGE = """
            usage: virta bus write NAME [options]
              --type rgb24|yuv420p|raw|encoded|fmp4   channel type (default rgb24)
              --width W --height H                    frame size (rgb24, yuv420p; default 640x360)
              --size BYTES                            payload size (raw, encoded, fmp4)
              --cells N                               ring length (default 8)
              --count C                               frames to write (default 100)
              --fps F                                 rate; 0 = as fast as possible (default 25)
              --wait-readers N                        wait (up to 30 s) for N readers before the first frame
              --linger SECONDS                        keep the channel open after the last frame
              --color-matrix bt601|bt709|bt2020       colour matrix in every frame (default unspecified)
              --color-range limited|full              colour range in every frame (default unspecified)
              --no-close                              exit without closing, as a crash would
            Prints READY when the channel exists and DONE <count> after the last frame.
            """;

    static final String READ_USAGE = """
            usage: virta bus read NAME [options]
              --count C            stop after C frames (default: until the stream ends)
              --timeout SECONDS    per pull (default 5)
              --max-timeouts K     exit after K timeouts in a row (default 1)
              --delay-ms D         sleep after each frame: a deliberately slow reader
              --start newest|next  where to begin (default newest)
              --wait-writer SECONDS  wait for a channel that does not exist yet
              --expect-type TYPE --width W --height H   refuse another kind of channel
              --spin-us N          spin this long before blocking
            Prints one JSON object per line: ready, frame, timeout, end, restarted, died, summary.
            A frame line carries the colour codes of docs/bus-format.md 3.3/3.4 as colorMatrix and colorRange.
            """;

    static final String LATENCY_USAGE = """
            usage: virta bus latency NAME --count N [--spin-us S] [--warmup W] [--jit-warmup J] [--json]
            First pulls J frames (default 20000) from a private channel of its own, so that the JIT has
            compiled the pull path; then reads N frames of NAME (after W more, default 1000) and prints
            p50/p99/p99.9/max of (time the pull returned - frame's commit time), in microseconds, as JSON.
            """;

    private BusTool() {
    }

    public static void main(String[] argv) {
        System.exit(run(argv, System.out, System.err));
    }

    public static int run(String[] argv, PrintStream out, PrintStream err) {
        if (argv.length == 0 || argv[0].equals("--help") || argv[0].equals("-h") || argv[0].equals("help")) {
            out.print(USAGE);
            return argv.length == 0 ? 2 : 0;
        }
        String command = argv[0];
        String[] rest = Arrays.copyOfRange(argv, 1, argv.length);
        boolean help = Arrays.asList(rest).contains("--help");
        try {
            switch (command) {
                case "write":
                    if (help) {
                        out.print(WRITE_USAGE);
                        return 0;
                    }
                    return write(new Args("virta bus write", rest,
                            Set.of("type", "width", "height", "size", "cells", "count", "fps", "linger",
                                    "wait-readers", "color-matrix", "color-range"),
                            Set.of("no-close")), out);
                case "read":
                    if (help) {
                        out.print(READ_USAGE);
                        return 0;
                    }
                    return read(new Args("virta bus read", rest, Set.of("count", "timeout", "max-timeouts",
                            "delay-ms", "start", "wait-writer", "expect-type", "width", "height", "spin-us"),
                            Set.of()), out);
                case "ls":
                    if (help) {
                        out.println("usage: virta bus ls\n  Lists /dev/shm/virta.* channels.");
                        return 0;
                    }
                    return ChannelInspector.list(out);
                case "clean":
                    if (help) {
                        out.println("usage: virta bus clean\n  Removes channels whose writer is dead and doorbells of"
                                + " dead readers; live channels are left alone.");
                        return 0;
                    }
                    return ChannelInspector.clean(out);
                case "latency":
                    if (help) {
                        out.print(LATENCY_USAGE);
                        return 0;
                    }
                    return latency(new Args("virta bus latency", rest, Set.of("count", "spin-us", "warmup", "jit-warmup"),
                            Set.of("json")),
                            out);
                default:
                    err.println("virta bus: unknown command '" + command + "'\n" + USAGE);
                    return 2;
            }
        } catch (Args.UsageException | IllegalArgumentException | BusException e) {
            err.println("error: " + e.getMessage());
            return 2;
        }
    }

    /** Every byte of test frame {@code s} equals {@code s % 251}: a torn or misplaced frame shows. */
    public static byte patternByte(long sequence) {
        return (byte) (sequence % 251);
    }

    private static int write(Args args, PrintStream out) {
        String name = args.positional(0, "channel NAME");
        ChannelType type = ChannelType.parse(args.string("type", "rgb24"));
        ChannelSpec spec = ChannelSpec.of(name, type).cells((int) args.number("cells", 8));
        if (type == ChannelType.RGB24 || type == ChannelType.YUV420P) {
            spec.size((int) args.number("width", 640), (int) args.number("height", 360));
        }
        long size = args.number("size", 0);
        if (size > 0) {
            spec.capacity(size);
        }
        long count = args.number("count", 100);
        double fps = args.decimal("fps", 25);
        ColorMatrix matrix = parseOption("color-matrix", args.string("color-matrix", "unspecified"), ColorMatrix::parse);
        ColorRange range = parseOption("color-range", args.string("color-range", "unspecified"), ColorRange::parse);
        ChannelWriter writer = ChannelWriter.create(spec);
        out.println("READY");
        out.flush();
        long waitReaders = args.number("wait-readers", 0);
        long giveUp = System.nanoTime() + 30_000_000_000L;
        while (writer.readerCount() < waitReaders) {
            if (System.nanoTime() - giveUp > 0) {
                writer.close();
                throw new BusException("channel '" + name + "': " + waitReaders + " readers did not attach in 30 s");
            }
            sleepUntil(System.nanoTime() + 10_000_000);
        }
        long payload = size > 0 ? size : writer.capacity();
        long interval = fps > 0 ? (long) (1e9 / fps) : 0;
        long next = System.nanoTime();
        for (long i = 0; i < count; i++) {
            if (interval > 0) {
                next += interval;
                sleepUntil(next);
            }
            WritableFrame frame = writer.claim();
            frame.payload().asSlice(0, payload).fill(patternByte(frame.sequence()));
            frame.payloadSize(payload).keyframe(frame.sequence() % 25 == 1).color(matrix, range);
            writer.commit();
        }
        out.println("DONE " + count);
        out.flush();
        if (args.flag("no-close")) {
            Runtime.getRuntime().halt(0);
        }
        sleepUntil(System.nanoTime() + (long) (args.decimal("linger", 0) * 1e9));
        writer.close();
        return 0;
    }

    /** Parses an option's value, naming the option when the value is wrong. */
    private static <T> T parseOption(String option, String value, java.util.function.Function<String, T> parser) {
        try {
            return parser.apply(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--" + option + ": " + e.getMessage(), e);
        }
    }

    private static int read(Args args, PrintStream out) {
        String name = args.positional(0, "channel NAME");
        ChannelReader.Builder builder = ChannelReader.builder(name)
                .start(ChannelReader.Start.valueOf(args.string("start", "newest").toUpperCase()))
                .awaitWriter(Duration.ofMillis((long) (args.decimal("wait-writer", 0) * 1000)))
                .spin(Duration.ofNanos(args.number("spin-us", 0) * 1000));
        String expectType = args.string("expect-type", null);
        if (expectType != null) {
            builder.expect(ChannelType.parse(expectType));
        }
        if (args.number("width", 0) > 0) {
            builder.expectSize((int) args.number("width", 0), (int) args.number("height", 0));
        }
        long count = args.number("count", Long.MAX_VALUE);
        long timeout = (long) (args.decimal("timeout", 5) * 1e9);
        long maxTimeouts = args.number("max-timeouts", 1);
        long delayMillis = args.number("delay-ms", 0);
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

    private static int latency(Args args, PrintStream out) {
        String name = args.positional(0, "channel NAME");
        int count = (int) args.number("count", 2000);
        int warmup = (int) args.number("warmup", 1000);
        Duration spin = Duration.ofNanos(args.number("spin-us", 0) * 1000);
        warmUpTheJit(spin, (int) args.number("jit-warmup", JIT_WARMUP_FRAMES));
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
    static final int JIT_WARMUP_FRAMES = 20_000;
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

package io.virta.cli;

import io.virta.bus.BusException;
import io.virta.bus.ChannelReader;
import io.virta.bus.ChannelType;
import io.virta.bus.ColorMatrix;
import io.virta.bus.ColorRange;
import io.virta.bus.tools.BusTool;
import io.virta.bus.tools.ChannelInspector;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;

/**
 * {@code virta bus ...}: write test frames, read and verify them, list and clean channels, and measure
 * hand-off latency. The options become {@link BusTool}'s typed requests; Python's
 * {@code python3 -m virta.bus.tools} takes the same commands and prints the same lines.
 *
 * <pre>{@code
 * ./virta bus write lobby.rgb --fps 25 --count 1000 &
 * ./virta bus read lobby.rgb --count 10
 * }</pre>
 */
@Command(name = "bus", description = "Work with bus channels: write, read, ls, clean, latency.",
        subcommands = {BusCommand.Write.class, BusCommand.Read.class, BusCommand.Ls.class, BusCommand.Clean.class,
                BusCommand.Latency.class})
final class BusCommand extends CommandGroup {
    /** A {@code virta bus} command: what it prints goes to the run's console (a test's buffers in tests). */
    abstract static class Printing implements Callable<Integer> {
        final Console console;

        Printing(Console console) {
            this.console = console;
        }
    }

    /**
     * One {@code virta bus} command that works on the channel named by its argument: a bad channel name,
     * type or size is a usage mistake (status 2), as a bad option is.
     */
    abstract static class OnChannel extends Printing {
        @Spec
        CommandSpec spec;
        @Parameters(arity = "0..1", paramLabel = "NAME", hideParamSyntax = true, description = "the channel")
        Optional<String> channel = Optional.empty();

        OnChannel(Console console) {
            super(console);
        }

        @Override
        public Integer call() {
            String name = channel.orElseThrow(() -> UsageErrors.error(spec, "missing channel NAME"));
            try {
                return run(name);
            } catch (IllegalArgumentException | BusException e) {
                console.err().println("error: " + e.getMessage());
                return Virta.USAGE_ERROR;
            }
        }

        abstract int run(String channel);
    }

    @Command(name = "write", description = "Publish test frames (every byte of frame s is s %% 251).",
            footer = "Prints READY when the channel exists and DONE <count> after the last frame.")
    static final class Write extends OnChannel {
        @Option(names = "--type", paramLabel = "TYPE", defaultValue = "rgb24",
                completionCandidates = Converters.ChannelTypes.class,
                description = "channel type: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE})")
        ChannelType type;
        @Option(names = "--width", paramLabel = "W", description = "frame width (rgb24, yuv420p; default ${DEFAULT-VALUE})")
        int width = 640;
        @Option(names = "--height", paramLabel = "H",
                description = "frame height (rgb24, yuv420p; default ${DEFAULT-VALUE})")
        int height = 360;
        @Option(names = "--size", paramLabel = "BYTES", description = "payload size (raw, encoded, fmp4)")
        long size;
        @Option(names = "--cells", paramLabel = "N", description = "ring length (default ${DEFAULT-VALUE})")
        int cells = 8;
        @Option(names = "--count", paramLabel = "C", description = "frames to write (default ${DEFAULT-VALUE})")
        long count = 100;
        @Option(names = "--fps", paramLabel = "F", defaultValue = "25",
                description = "rate; 0 = as fast as possible (default ${DEFAULT-VALUE})")
        double fps;
        @Option(names = "--wait-readers", paramLabel = "N",
                description = "wait (up to 30 s) for N readers before the first frame")
        long waitReaders;
        @Option(names = "--linger", paramLabel = "SECONDS", description = "keep the channel open after the last frame")
        double lingerSeconds;
        @Option(names = "--color-matrix", paramLabel = "bt601|bt709|bt2020", defaultValue = "unspecified",
                description = "colour matrix in every frame (default ${DEFAULT-VALUE})")
        ColorMatrix colorMatrix;
        @Option(names = "--color-range", paramLabel = "limited|full", defaultValue = "unspecified",
                description = "colour range in every frame (default ${DEFAULT-VALUE})")
        ColorRange colorRange;
        @Option(names = "--no-close", description = "exit without closing, as a crash would")
        boolean noClose;

        Write(Console console) {
            super(console);
        }

        @Override
        int run(String channel) {
            return BusTool.write(new BusTool.Write(channel, type, width, height,
                    size > 0 ? OptionalLong.of(size) : OptionalLong.empty(), cells, count, fps, waitReaders,
                    lingerSeconds, colorMatrix, colorRange, noClose), console.out());
        }
    }

    @Command(name = "read", description = "Attach, verify and print each frame as a JSON line.",
            footer = {"Prints one JSON object per line: ready, frame, timeout, end, restarted, died, summary.",
                    "A frame line carries the colour codes of docs/bus-format.md 3.3/3.4 as colorMatrix and colorRange."})
    static final class Read extends OnChannel {
        @Option(names = "--count", paramLabel = "C", description = "stop after C frames (default: until the stream ends)")
        long count = Long.MAX_VALUE;
        @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "5",
                description = "per pull (default ${DEFAULT-VALUE})")
        double timeoutSeconds;
        @Option(names = "--max-timeouts", paramLabel = "K",
                description = "exit after K timeouts in a row (default ${DEFAULT-VALUE})")
        long maxTimeouts = 1;
        @Option(names = "--delay-ms", paramLabel = "D", description = "sleep after each frame: a deliberately slow reader")
        long delayMillis;
        @Option(names = "--start", paramLabel = "newest|next|oldest", defaultValue = "newest",
                description = "where to begin: the newest frame, the next one, or the oldest still in the ring"
                        + " (default ${DEFAULT-VALUE})")
        ChannelReader.Start start;
        @Option(names = "--wait-writer", paramLabel = "SECONDS", description = "wait for a channel that does not exist yet")
        double waitWriterSeconds;
        @Option(names = "--expect-type", paramLabel = "TYPE", completionCandidates = Converters.ChannelTypes.class,
                description = "refuse another type of channel")
        Optional<ChannelType> expectType = Optional.empty();
        @Option(names = "--width", paramLabel = "W", description = "refuse another frame width (with --height)")
        int width;
        @Option(names = "--height", paramLabel = "H", description = "refuse another frame height")
        int height;
        @Option(names = "--spin-us", paramLabel = "N", description = "spin this long before blocking")
        long spinMicros;

        Read(Console console) {
            super(console);
        }

        @Override
        int run(String channel) {
            return BusTool.read(new BusTool.Read(channel, count, timeoutSeconds, maxTimeouts, delayMillis, start,
                    waitWriterSeconds, expectType, width, height, spinMicros), console.out());
        }
    }

    @Command(name = "latency", description = "A benchmark reader: hand-off latency percentiles as JSON.",
            customSynopsis = "virta bus latency NAME --count N [OPTIONS]",
            footer = {"First pulls J frames (--jit-warmup) from a private channel of its own, so that the JIT has",
                    "compiled the pull path; then reads N frames of NAME (after W more) and prints",
                    "p50/p99/p99.9/max of (time the pull returned - frame's commit time), in microseconds, as JSON."})
    static final class Latency extends OnChannel {
        @Option(names = "--count", paramLabel = "N", description = "frames measured (default ${DEFAULT-VALUE})")
        int count = 2000;
        @Option(names = "--spin-us", paramLabel = "S", description = "spin this long before blocking")
        long spinMicros;
        @Option(names = "--warmup", paramLabel = "W",
                description = "frames of NAME read before measuring (default ${DEFAULT-VALUE})")
        int warmup = 1000;
        @Option(names = "--jit-warmup", paramLabel = "J",
                description = "frames of the private warm-up channel (default ${DEFAULT-VALUE})")
        int jitWarmup = BusTool.JIT_WARMUP_FRAMES;
        @Option(names = "--json", description = "print JSON (it always does; kept for scripts that pass it)")
        boolean json;

        Latency(Console console) {
            super(console);
        }

        @Override
        int run(String channel) {
            return BusTool.latency(new BusTool.Latency(channel, count, warmup, spinMicros, jitWarmup), console.out());
        }
    }

    @Command(name = "ls", description = "List channels in /dev/shm with their writer and readers.")
    static final class Ls extends Printing {
        Ls(Console console) {
            super(console);
        }

        @Override
        public Integer call() {
            return ChannelInspector.list(console.out());
        }
    }

    @Command(name = "clean", description = "Remove channels whose writer is dead, and doorbells of dead readers;"
            + " live channels are left alone.")
    static final class Clean extends Printing {
        Clean(Console console) {
            super(console);
        }

        @Override
        public Integer call() {
            return ChannelInspector.clean(console.out());
        }
    }
}

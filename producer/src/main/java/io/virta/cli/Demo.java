package io.virta.cli;

import io.virta.bus.BusException;
import io.virta.bus.ChannelReader;
import io.virta.bus.ChannelSpec;
import io.virta.bus.ChannelType;
import io.virta.bus.ChannelWriter;
import io.virta.bus.PullStatus;
import io.virta.bus.WritableFrame;
import io.virta.bus.tools.Args;
import io.virta.bus.tools.TestPattern;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code virta demo}: until the producer's demo camera exists, the bus demo. A writer renders a moving
 * test pattern straight into shared memory; a Java reader (this JVM) and a Python reader (its own
 * process) find the square in each frame and print what they receive once a second.
 */
final class Demo {
    static final String USAGE = """
            usage: virta demo [options]
              --channel NAME     channel to publish (default demo.rgb)
              --width W --height H   picture size (default 640x360)
              --fps F            frame rate (default 25)
              --seconds S        stop after S seconds (default: run until Ctrl-C)
              --no-python        do not start the Python reader
            """;

    private Demo() {
    }

    static int run(String[] argv) {
        if (Set.of(argv).contains("--help")) {
            System.out.print(USAGE);
            return 0;
        }
        Args args;
        try {
            args = new Args("virta demo", argv, Set.of("channel", "width", "height", "fps", "seconds"), Set.of("no-python"));
        } catch (Args.UsageException e) {
            System.err.println("error: " + e.getMessage());
            return 2;
        }
        String channel = args.string("channel", "demo.rgb");
        int width = (int) args.number("width", 640);
        int height = (int) args.number("height", 360);
        double fps = args.decimal("fps", 25);
        double seconds = args.decimal("seconds", 0);
        ChannelWriter writer;
        try {
            writer = ChannelWriter.create(ChannelSpec.rgb24(channel, width, height).cells(16));
        } catch (BusException | IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            return 2;
        }
        System.out.println("demo: writing " + width + "x" + height + " RGB24 at " + fps + " fps to channel '" + channel
                + "' (/dev/shm/virta." + channel + "); Ctrl-C stops");
        Thread reader = Thread.ofPlatform().daemon().name("demo-java-reader").start(() -> javaReader(channel, width, height));
        Process python = args.flag("no-python") ? null : startPythonReader(channel);
        long stopAt = seconds > 0 ? System.nanoTime() + (long) (seconds * 1e9) : Long.MAX_VALUE;
        TestPattern pattern = new TestPattern(width, height);
        long interval = (long) (1e9 / fps);
        long next = System.nanoTime();
        try {
            while (System.nanoTime() - stopAt < 0) {
                next += interval;
                LockSupport.parkNanos(next - System.nanoTime());
                WritableFrame frame = writer.claim();
                pattern.render(frame.sequence() - 1, frame.payload());
                frame.keyframe(true);
                writer.commit();
            }
        } finally {
            writer.close();
            try {
                reader.join(2000);
                if (python != null && !python.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                    python.destroy();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        System.out.println("demo: wrote " + writer.sequence() + " frames, channel closed");
        return 0;
    }

    private static void javaReader(String channel, int width, int height) {
        try (ChannelReader reader = ChannelReader.builder(channel).expect(ChannelType.RGB24).expectSize(width, height).open()) {
            long windowStart = System.nanoTime();
            long frames = 0;
            while (true) {
                PullStatus status = reader.pull(Duration.ofSeconds(2));
                if (status == PullStatus.END_OF_STREAM || status == PullStatus.WRITER_DIED) {
                    System.out.println("java reader:   stream ended after " + reader.frames() + " frames, " + reader.lost()
                            + " lost");
                    return;
                }
                if (!status.hasFrame()) {
                    continue;
                }
                frames++;
                long now = System.nanoTime();
                if (now - windowStart >= 1_000_000_000L) {
                    int x = TestPattern.findSquare(reader.frame().payload(), width, height);
                    long latencyMicros = (now - reader.frame().commitMonotonicNanos()) / 1000;
                    System.out.printf("java reader:   frame %5d  %4.1f fps  lost %d  square at x=%d  hand-off %d us%n",
                            reader.frame().sequence(), frames * 1e9 / (now - windowStart), reader.lost(), x, latencyMicros);
                    windowStart = now;
                    frames = 0;
                }
            }
        }
    }

    private static Process startPythonReader(String channel) {
        Path home = Path.of(System.getProperty("virta.home", "."));
        Path script = home.resolve("python-client/examples/demo_reader.py");
        if (!Files.exists(script) || !Files.exists(Path.of("/usr/bin/python3"))) {
            System.out.println("demo: no Python reader (" + script + " or /usr/bin/python3 missing)");
            return null;
        }
        ProcessBuilder pb = new ProcessBuilder("/usr/bin/python3", script.toString(), channel).inheritIO();
        pb.environment().put("PYTHONPATH", home.resolve("python-client/src").toString());
        try {
            return pb.start();
        } catch (IOException e) {
            System.out.println("demo: cannot start the Python reader: " + e.getMessage());
            return null;
        }
    }
}

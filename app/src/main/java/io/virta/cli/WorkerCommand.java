package io.virta.cli;

import io.virta.bus.ChannelType;
import io.virta.bus.tools.Args;
import io.virta.worker.FrameSource;
import io.virta.worker.StreamCounters;
import io.virta.worker.Worker;
import io.virta.worker.WorkerArguments;
import io.virta.worker.WorkerRunner;
import io.virta.worker.WorkerStartException;
import io.virta.worker.attach.AttachException;
import io.virta.grpc.GrpcTarget;
import io.virta.worker.events.EventPrinter;
import io.virta.worker.events.EventReporter;
import io.virta.worker.motion.MotionDetector;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code virta worker <motion|CLASS> --camera NAME}: runs a Java worker on a camera's frames and reports
 * its events to the hub. SIGTERM or Ctrl-C stops it cleanly (events flushed, reader closed) and prints
 * a one-line summary.
 */
final class WorkerCommand {
    static final String USAGE = """
            usage: virta worker <motion|CLASS> --camera NAME [options]
              motion               the motion detector (io.virta.worker.motion.MotionDetector)
              CLASS                the class name of any io.virta.worker.Worker on the classpath
                                   (a public class with a public constructor without parameters)
              --camera NAME        the camera to analyze (required)
              --channel NAME       read this bus channel directly instead of asking the producer for the camera's
              --type T             which of the camera's channels: rgb24 (default), yuv420p or encoded
              --control HOST:PORT  the producer's control API (default 127.0.0.1:50051; unix:PATH for its socket)
              --hub HOST:PORT|none the event hub (default: the --control address); none reports nowhere
              --fps F              analyze at most F frames a second, always the newest (default 4; 0 = every frame)
              --print              also write each event to stdout, one line of JSON each
              --name N             the worker's name, its events' source (default: motion, or the class's simple name)
              --seconds S          stop after S seconds (default: run until SIGTERM or Ctrl-C)
            worker options (the motion detector's; any worker reads them from its WorkerContext.arguments()):
              --ignore x,y,w,h     mask out this rectangle, in fractions of the picture (repeatable)
              --min-area FRACTION  smallest moving region reported, a fraction of the picture (default 0.002)
              --threshold LEVEL    grey-level change that counts as moving, 1..254 (default 25)
              --arg KEY=VALUE      any other option for the worker (repeatable)
            environment: VIRTA_TOKEN or VIRTA_TOKEN_FILE (the endpoints' token), VIRTA_CA_FILE (TLS: the server's CA)
            """;

    private static final Set<String> VALUES = Set.of("camera", "channel", "type", "control", "hub", "fps", "name",
            "seconds", "min-area", "threshold");
    private static final Set<String> REPEATABLE = Set.of("ignore", "arg");

    private WorkerCommand() {
    }

    static int run(String[] argv) {
        return run(argv, System.out, System.err, true);
    }

    /** {@code untilSignal}: wait for SIGTERM when no --seconds is given (false in tests). */
    static int run(String[] argv, PrintStream out, PrintStream err, boolean untilSignal) {
        if (Arrays.asList(argv).contains("--help")) {
            out.print(USAGE);
            return 0;
        }
        Options options;
        try {
            options = Options.parse(argv);
        } catch (Args.UsageException | IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return 2;
        }
        Worker worker;
        try {
            worker = instantiate(options.worker);
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return 2;
        }
        WorkerRunner runner;
        EventReporter reporter = options.hub == null ? null : EventReporter.builder(options.hub)
                .closeTimeout(Duration.ofSeconds(3)).build();
        try {
            WorkerRunner.Builder builder = WorkerRunner.builder(worker, options.source).name(options.name)
                    .arguments(options.arguments);
            if (reporter != null) {
                builder.events(reporter);
            }
            if (options.print) {
                builder.events(new EventPrinter(out));
            }
            runner = builder.start();
        } catch (AttachException | WorkerStartException e) {
            err.println("error: " + e.getMessage());
            return 1;
        }
        err.println("worker " + options.name + ": camera '" + runner.context().camera() + "', channel '"
                + runner.context().channel() + "' (" + runner.context().width() + "x" + runner.context().height() + " "
                + runner.context().channelType() + "), "
                + (options.source.maxFps() > 0 ? "at most " + fmt(options.source.maxFps()) + " frames/s" : "every frame")
                + ", events to " + (reporter == null ? "no hub" : "hub " + options.hub) + (options.print ? " and stdout" : ""));
        AtomicBoolean summarized = new AtomicBoolean();
        Object stopping = new Object();
        // Locked: on SIGTERM the hook and the main thread both get here, and the JVM exits as soon as the hook
        // returns, so the hook must wait until the summary is out, whoever prints it.
        Runnable stop = () -> {
            synchronized (stopping) {
                runner.close();
                if (summarized.compareAndSet(false, true)) {
                    err.println(summary(options.name, runner, reporter));
                    err.flush();
                    out.flush();
                }
            }
        };
        Thread hook = new Thread(stop, "virta-worker-shutdown");
        if (untilSignal) {
            Runtime.getRuntime().addShutdownHook(hook);
        }
        try {
            if (options.seconds > 0) {
                runner.awaitTermination(Duration.ofMillis((long) (options.seconds * 1000)));
            } else if (untilSignal) {
                runner.awaitTermination();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stop.run();
        if (untilSignal) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // SIGTERM: the hook is running (or ran) and prints the summary.
            }
        }
        if (runner.failure() != null) {
            err.println("error: worker " + options.name + " failed: " + runner.failure());
            return 1;
        }
        return 0;
    }

    static String summary(String name, WorkerRunner runner, EventReporter reporter) {
        StreamCounters c = runner.counters();
        String events = reporter == null
                ? runner.context().eventsReported() + " events (no hub)"
                : String.format(Locale.ROOT, "%d events: %d sent, %d dropped, %d rejected, %d failed",
                        runner.context().eventsReported(), reporter.sent(), reporter.dropped(), reporter.rejected(),
                        reporter.failed());
        return String.format(Locale.ROOT, "worker %s stopped: %d frames analyzed, %d lost, %d skipped by --fps, %d"
                + " re-attaches; %s", name, c.frames(), c.lost(), c.skipped(), c.reattaches(), events);
    }

    /** 'motion', or a class implementing Worker with a public no-argument constructor. */
    static Worker instantiate(String nameOrClass) {
        if (nameOrClass.equals("motion")) {
            return new MotionDetector();
        }
        Class<?> type;
        try {
            type = Class.forName(nameOrClass, true, Thread.currentThread().getContextClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IllegalArgumentException("no worker '" + nameOrClass + "': it is not 'motion', and no class of that"
                    + " name is on the classpath (give the fully qualified name, e.g. com.example.MyWorker, and put its"
                    + " jar on the classpath)");
        }
        if (!Worker.class.isAssignableFrom(type)) {
            throw new IllegalArgumentException("class " + nameOrClass + " does not implement " + Worker.class.getName()
                    + "; a worker implements it (see docs/workers.md)");
        }
        try {
            return (Worker) type.getConstructor().newInstance();
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException("class " + nameOrClass + " needs a public constructor without parameters"
                    + " (it reads its options from WorkerContext.arguments() in onStart)");
        } catch (ReflectiveOperationException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IllegalArgumentException("cannot create " + nameOrClass + ": " + cause);
        }
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    /** The parsed command line. */
    private record Options(String worker, FrameSource source, GrpcTarget hub, boolean print, String name,
            double seconds, WorkerArguments arguments) {

        static Options parse(String[] argv) {
            // Args keeps one value per option: pull the repeatable ones out first.
            WorkerArguments.Builder arguments = WorkerArguments.builder();
            List<String> rest = new ArrayList<>();
            for (int i = 0; i < argv.length; i++) {
                String key = argv[i].startsWith("--") ? argv[i].substring(2) : null;
                if (key != null && REPEATABLE.contains(key)) {
                    if (i + 1 >= argv.length) {
                        throw new Args.UsageException("virta worker: option --" + key + " needs a value");
                    }
                    String value = argv[++i];
                    if (key.equals("arg")) {
                        int eq = value.indexOf('=');
                        if (eq <= 0) {
                            throw new Args.UsageException("virta worker: --arg '" + value + "' is not KEY=VALUE");
                        }
                        arguments.add(value.substring(0, eq), value.substring(eq + 1));
                    } else {
                        arguments.add(key, value);
                    }
                } else {
                    rest.add(argv[i]);
                }
            }
            Args args = new Args("virta worker", rest.toArray(String[]::new), VALUES, Set.of("print"));
            String worker = args.positional(0, "worker (motion or a class name)");
            String camera = args.string("camera", null);
            if (camera == null) {
                throw new Args.UsageException("virta worker: --camera NAME is required (the camera whose frames to"
                        + " analyze)");
            }
            for (String key : List.of("min-area", "threshold")) {
                String v = args.string(key, null);
                if (v != null) {
                    arguments.add(key, v);
                }
            }
            WorkerArguments built = arguments.build();
            if (worker.equals("motion")) {
                io.virta.worker.motion.MotionOptions.from(built);   // check the options before attaching
            }
            String channel = args.string("channel", null);
            FrameSource source = channel != null ? FrameSource.channel(channel, camera) : FrameSource.camera(camera);
            String control = args.string("control", FrameSource.DEFAULT_CONTROL);
            source.control(control);
            GrpcTarget.parse(control, "--control");
            // A bad VIRTA_TOKEN_FILE or VIRTA_CA_FILE fails here, naming the variable, not at the first call.
            io.virta.grpc.ClientSecurity.fromEnvironment();
            String type = args.string("type", null);
            if (type != null) {
                source.type(ChannelType.parse(type));
            }
            double fps = args.decimal("fps", 4);
            if (fps < 0) {
                throw new Args.UsageException("virta worker: --fps " + fps + " is negative; use 0 for every frame");
            }
            source.fps(fps);
            String hubText = args.string("hub", control);
            GrpcTarget hub = hubText.equals("none") ? null : GrpcTarget.parse(hubText, "--hub");
            String name = args.string("name", worker.equals("motion") ? "motion" : simpleName(worker));
            double seconds = args.decimal("seconds", 0);
            return new Options(worker, source, hub, args.flag("print"), name, seconds, built);
        }

        private static String simpleName(String className) {
            return className.substring(className.lastIndexOf('.') + 1);
        }
    }
}

package io.virta.cli;

import io.virta.bus.ChannelType;
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
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code virta worker <motion|CLASS> --camera NAME}: runs a Java worker on a camera's frames and reports
 * its events to the hub. SIGTERM or Ctrl-C stops it cleanly (events flushed, reader closed) and prints
 * a one-line summary.
 */
@Command(name = "worker", description = "Run a Java worker on a camera's frames, reporting its events to the hub.",
        customSynopsis = "virta worker <motion|CLASS> --camera NAME [OPTIONS]",
        footer = {"environment: VIRTA_TOKEN or VIRTA_TOKEN_FILE (the endpoints' token), VIRTA_CA_FILE (TLS: the"
                + " server's CA)"})
final class WorkerCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    private final Console console;
    /** Wait for SIGTERM when no --seconds is given; false in tests, which stop the worker themselves. */
    boolean untilSignal = true;
    /** The worker's own options, in the order given: any worker reads them from WorkerContext.arguments(). */
    private final WorkerArguments.Builder arguments = WorkerArguments.builder();

    @Parameters(arity = "0..1", paramLabel = "<motion|CLASS>", hideParamSyntax = true, description = {
            "motion: the motion detector (io.virta.worker.motion.MotionDetector);",
            "CLASS: the class name of any io.virta.worker.Worker on the classpath (a public class with a public"
                    + " constructor without parameters)"})
    Optional<String> worker = Optional.empty();
    @Option(names = "--camera", paramLabel = "NAME", description = "the camera to analyze (required)")
    Optional<String> camera = Optional.empty();
    @Option(names = "--channel", paramLabel = "NAME",
            description = "read this bus channel directly instead of asking the producer for the camera's")
    Optional<String> channel = Optional.empty();
    @Option(names = "--type", paramLabel = "T", completionCandidates = Converters.ChannelTypes.class,
            description = "which of the camera's channels: rgb24 (default), yuv420p or encoded")
    Optional<ChannelType> type = Optional.empty();
    @Option(names = "--control", paramLabel = "HOST:PORT", defaultValue = FrameSource.DEFAULT_CONTROL,
            description = "the producer's control API (default ${DEFAULT-VALUE}; unix:PATH for its socket)")
    String control;
    @Option(names = "--hub", paramLabel = "HOST:PORT|none",
            description = "the event hub (default: the --control address); none reports nowhere")
    Optional<String> hub = Optional.empty();
    @Option(names = "--fps", paramLabel = "F", defaultValue = "4",
            description = "analyze at most F frames a second, always the newest (default ${DEFAULT-VALUE}; 0 = every"
                    + " frame)")
    double fps;
    @Option(names = "--print", description = "also write each event to stdout, one line of JSON each")
    boolean print;
    @Option(names = "--name", paramLabel = "N",
            description = "the worker's name, its events' source (default: motion, or the class's simple name)")
    Optional<String> name = Optional.empty();
    @Option(names = "--seconds", paramLabel = "S", description = "stop after S seconds (default: run until SIGTERM"
            + " or Ctrl-C)")
    double seconds;
    @Option(names = "--min-area", paramLabel = "FRACTION", description = "worker option (the motion detector's):"
            + " smallest moving region reported, a fraction of the picture (default 0.002)")
    Optional<String> minArea = Optional.empty();
    @Option(names = "--threshold", paramLabel = "LEVEL", description = "worker option: grey-level change that counts"
            + " as moving, 1..254 (default 25)")
    Optional<String> threshold = Optional.empty();

    WorkerCommand(Console console) {
        this.console = console;
    }

    @Option(names = "--ignore", paramLabel = "x,y,w,h", description = "worker option: mask out this rectangle, in"
            + " fractions of the picture (repeatable)")
    void ignore(String rectangle) {
        arguments.add("ignore", rectangle);
    }

    @Option(names = "--arg", paramLabel = "KEY=VALUE", description = "any other option for the worker (repeatable)")
    void argument(String keyValue) {
        int eq = keyValue.indexOf('=');
        if (eq <= 0) {
            throw UsageErrors.error(spec, "--arg '" + keyValue + "' is not KEY=VALUE");
        }
        arguments.add(keyValue.substring(0, eq), keyValue.substring(eq + 1));
    }

    /** Runs {@code virta worker argv...}, printing to {@code out} and {@code err}; for tests. */
    static int run(String[] argv, PrintStream out, PrintStream err, boolean untilSignal) {
        CommandLine virta = Virta.commandLine(new Console(out, err));
        CommandLine worker = virta.getSubcommands().get("worker");
        worker.<WorkerCommand>getCommand().untilSignal = untilSignal;
        return virta.execute(Virta.command("worker", argv));
    }

    @Override
    public Integer call() {
        PrintStream out = console.out();
        PrintStream err = console.err();
        Options options;
        try {
            options = options();
        } catch (IllegalArgumentException e) {
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

    /**
     * The worker's options, checked: the worker's own ones (the motion detector's before it attaches),
     * the addresses, and the token and CA files the environment names.
     */
    private Options options() {
        String worker = this.worker.orElseThrow(() -> UsageErrors.error(spec, "missing worker (motion or a class name)"));
        String camera = this.camera.orElseThrow(() -> UsageErrors.error(spec, "--camera NAME is required (the camera"
                + " whose frames to analyze)"));
        minArea.ifPresent(v -> arguments.add("min-area", v));
        threshold.ifPresent(v -> arguments.add("threshold", v));
        WorkerArguments built = arguments.build();
        if (worker.equals("motion")) {
            io.virta.worker.motion.MotionOptions.from(built);   // check the options before attaching
        }
        FrameSource source = channel.map(c -> FrameSource.channel(c, camera)).orElseGet(() -> FrameSource.camera(camera));
        source.control(control);
        GrpcTarget.parse(control, "--control");
        // A bad VIRTA_TOKEN_FILE or VIRTA_CA_FILE fails here, naming the variable, not at the first call.
        io.virta.grpc.ClientSecurity.fromEnvironment();
        type.ifPresent(source::type);
        if (fps < 0) {
            throw UsageErrors.error(spec, "--fps " + fps + " is negative; use 0 for every frame");
        }
        source.fps(fps);
        String hubText = hub.orElse(control);
        GrpcTarget hubTarget = hubText.equals("none") ? null : GrpcTarget.parse(hubText, "--hub");
        String workerName = name.orElse(worker.equals("motion") ? "motion" : Options.simpleName(worker));
        return new Options(worker, source, hubTarget, print, workerName, seconds, built);
    }

    /** The parsed command line. */
    private record Options(String worker, FrameSource source, GrpcTarget hub, boolean print, String name,
            double seconds, WorkerArguments arguments) {

        private static String simpleName(String className) {
            return className.substring(className.lastIndexOf('.') + 1);
        }
    }
}

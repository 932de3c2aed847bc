package io.virta.cli;

import io.virta.grpc.GrpcTarget;
import io.virta.viewer.ViewerMain;
import io.virta.viewer.ViewerOptions;
import io.virta.viewer.layout.Layout;
import io.virta.viewer.layout.LayoutException;
import io.virta.viewer.layout.LayoutFile;
import io.virta.viewer.layout.StreamRef;
import io.virta.viewer.layout.WindowLayout;
import io.virta.viewer.overlay.EventOverlays;
import io.virta.viewer.overlay.OverlayTiming;
import io.virta.worker.FrameSource;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code virta viewer}: shows cameras from the bus in OpenGL windows until closed, Q or SIGTERM. Parses
 * and checks the options into {@link ViewerOptions} (one camera gets a window, several a grid, unless
 * {@code --layout} says otherwise) and runs the viewer on this, the main, thread. The demo and the
 * viewer benchmark start it as a process of its own, the way users run it.
 *
 * <pre>{@code
 * ./virta viewer lobby door yard gate --size 1920x1080
 * }</pre>
 */
@Command(name = "viewer", description = "Show cameras in OpenGL windows, with the workers' boxes over them.",
        customSynopsis = "virta viewer [OPTIONS] CAMERA... | --layout FILE",
        footer = {"environment: VIRTA_TOKEN or VIRTA_TOKEN_FILE (the endpoints' token), VIRTA_CA_FILE (TLS: the"
                + " server's CA)",
                "keys: click a tile or press 1-9 to enlarge it; click, 0 or Escape to go back; Q to quit"})
final class ViewerCommand implements Callable<Integer> {
    private static final Pattern SIZE = Pattern.compile("(\\d{1,5})x(\\d{1,5})");
    private static final Pattern POSITION = Pattern.compile("(-?\\d{1,5}),(-?\\d{1,5})");

    @Spec
    CommandSpec spec;
    private final Console console;

    @Parameters(paramLabel = "CAMERA", description = {"a camera of the producer (its YUV channel is shown), or"
            + " channel:NAME for a bus channel read directly (a YUV420P channel, e.g. channel:lobby.yuv); several"
            + " may be given with commas"})
    List<String> cameras = new ArrayList<>();
    @Option(names = "--layout", paramLabel = "L", description = {"windows: one window per camera (default for one"
            + " camera); grid: all cameras in one window (default for several); FILE: a layout file (docs/viewer.md),"
            + " several windows and grids"})
    Optional<String> layout = Optional.empty();
    @Option(names = "--grid", paramLabel = "CxR", description = "grid of C columns and R rows (implies --layout grid)")
    Optional<String> grid = Optional.empty();
    @Option(names = "--replicate", paramLabel = "N",
            description = "show every camera N times (decode once, draw many; default ${DEFAULT-VALUE})")
    long replicate = 1;
    @Option(names = "--size", paramLabel = "WxH",
            description = "window size (default 640x360 per camera window, 1280x720 for a grid)")
    Optional<String> size = Optional.empty();
    @Option(names = "--position", paramLabel = "X,Y",
            description = "where the first window goes (default: placed in a row from the top-left)")
    Optional<String> position = Optional.empty();
    @Option(names = "--fullscreen", description = "the grid covers the whole screen, without border")
    boolean fullscreen;
    @Option(names = "--display", paramLabel = ":N", description = "the X display (screen) to open, e.g. :0.1 for a"
            + " second screen of a wall (default $DISPLAY); one viewer process per screen")
    Optional<String> display = Optional.empty();
    @Option(names = "--control", paramLabel = "HOST:PORT", defaultValue = FrameSource.DEFAULT_CONTROL,
            description = "the producer's control API, to find cameras (default ${DEFAULT-VALUE}; unix:PATH for its"
                    + " socket)")
    String control;
    @Option(names = "--hub", paramLabel = "HOST:PORT|none",
            description = "the event hub for overlays (default: the --control address); none: no overlays")
    Optional<String> hub = Optional.empty();
    @Option(names = "--buffer-ms", paramLabel = "MS", description = "presentation delay that absorbs network jitter"
            + " (msbuftime; default ${DEFAULT-VALUE}); frames later than this are dropped; 0 shows each frame when it"
            + " arrives")
    long bufferMillis = 100;
    @Option(names = "--queue-frames", paramLabel = "N",
            description = "frames each camera can hold waiting (default: enough for the buffer, >= 4)")
    Optional<Long> queueFrames = Optional.empty();
    @Option(names = "--no-signal-seconds", paramLabel = "S", defaultValue = "2",
            description = "show \"no signal\" after S seconds without frames (default ${DEFAULT-VALUE})")
    double noSignalSeconds;
    @Option(names = "--no-vsync", description = "draw as soon as a frame is due instead of once per screen refresh")
    boolean noVsync;
    @Option(names = "--overlay-seconds", paramLabel = "S",
            description = "how long an event's boxes stay on the video (default 1.5)")
    Optional<String> overlaySeconds = Optional.empty();
    @Option(names = "--stats", paramLabel = "S", description = "print each camera's presented/dropped counters every"
            + " S seconds")
    double statsSeconds;
    @Option(names = "--seconds", paramLabel = "S",
            description = "close after S seconds (default: until the window is closed, Q or SIGTERM)")
    double seconds;

    ViewerCommand(Console console) {
        this.console = console;
    }

    @Override
    public Integer call() {
        ViewerOptions options;
        try {
            options = options();
        } catch (LayoutException | IllegalArgumentException e) {
            console.err().println("error: " + e.getMessage());
            return Virta.USAGE_ERROR;
        }
        return ViewerMain.run(options, console.out(), console.err());
    }

    /** Parses {@code argv} as {@code virta viewer} does, without showing anything: for tests. */
    static ViewerOptions parse(String... argv) {
        CommandLine virta = Virta.commandLine(Console.system());
        try {
            virta.parseArgs(Virta.command("viewer", argv));
            return virta.getSubcommands().get("viewer").<ViewerCommand>getCommand().options();
        } catch (ParameterException e) {
            throw UsageErrors.restated(e);
        }
    }

    /** The options, checked; a mistake throws a usage error that names the option. */
    ViewerOptions options() {
        List<StreamRef> streams = new ArrayList<>();
        for (String name : cameras) {
            for (String part : name.split(",")) {
                if (!part.isBlank()) {
                    streams.add(StreamRef.parse(part));
                }
            }
        }
        int replicas = (int) inRange("--replicate", replicate, 1, 256);
        Layout windows;
        Optional<String> layoutFile = layout.filter(name -> !name.equals("windows") && !name.equals("grid"));
        if (layoutFile.isPresent()) {
            if (!streams.isEmpty()) {
                throw UsageErrors.error(spec, "cameras come from the layout file " + layoutFile.get() + "; leave out "
                        + streams + " or the --layout FILE");
            }
            windows = LayoutFile.read(Path.of(layoutFile.get()), replicas);
        } else {
            windows = windowsFor(streams, replicas);
        }
        GrpcTarget controlTarget = GrpcTarget.parse(control, "control");
        // A bad VIRTA_TOKEN_FILE or VIRTA_CA_FILE fails here, naming the variable, not at the first call.
        io.virta.grpc.ClientSecurity.fromEnvironment();
        GrpcTarget hubTarget = hub.isEmpty() ? controlTarget : EventOverlays.parseHubOption(hub.get()).orElse(null);
        long buffer = inRange("--buffer-ms", bufferMillis, 0, 10_000);
        int queue = (int) inRange("--queue-frames", queueFrames.orElse(Math.max(4, buffer / 33 + 3)), 3, 64);
        if (!(noSignalSeconds > 0)) {
            throw UsageErrors.error(spec, "--no-signal-seconds must be more than 0, not " + noSignalSeconds);
        }
        OverlayTiming overlayTiming = overlaySeconds.map(OverlayTiming::parseOverlaySeconds)
                .orElseGet(OverlayTiming::defaults);
        return new ViewerOptions(windows, display.orElse(null), controlTarget, hubTarget, buffer * 1_000_000L, queue,
                (long) (noSignalSeconds * 1e9), !noVsync, overlayTiming, statsSeconds, seconds);
    }

    /** The windows of the cameras named on the command line: a window each, or one grid. */
    private Layout windowsFor(List<StreamRef> streams, int replicas) {
        if (streams.isEmpty()) {
            throw UsageErrors.error(spec, "name at least one camera (e.g. virta viewer lobby door), or give --layout"
                    + " FILE");
        }
        int[] windowSize = size.map(this::windowSize).orElse(null);
        boolean asGrid = grid.isPresent() || layout.equals(Optional.of("grid")) || fullscreen
                || (layout.isEmpty() && streams.size() > 1);
        Layout windows;
        if (asGrid) {
            int columns = 0;
            int rows = 0;
            if (grid.isPresent()) {
                Matcher m = SIZE.matcher(grid.get());
                if (!m.matches() || Integer.parseInt(m.group(1)) == 0 || Integer.parseInt(m.group(2)) == 0) {
                    throw UsageErrors.error(spec, "--grid '" + grid.get() + "' is not COLUMNSxROWS, e.g. 3x2");
                }
                columns = Integer.parseInt(m.group(1));
                rows = Integer.parseInt(m.group(2));
                if (columns * rows < streams.size() * replicas) {
                    throw UsageErrors.error(spec, "--grid " + grid.get() + " holds " + columns * rows + " tiles, not "
                            + streams.size() * replicas + ": make it larger or leave it out");
                }
            }
            windows = Layout.grid(streams, replicas, windowSize == null ? Layout.DEFAULT_GRID_WIDTH : windowSize[0],
                    windowSize == null ? Layout.DEFAULT_GRID_HEIGHT : windowSize[1], fullscreen, columns, rows);
        } else {
            windows = Layout.windowPerStream(streams, replicas,
                    windowSize == null ? Layout.DEFAULT_TILE_WIDTH : windowSize[0],
                    windowSize == null ? Layout.DEFAULT_TILE_HEIGHT : windowSize[1]);
        }
        if (position.isPresent()) {
            Matcher m = POSITION.matcher(position.get());
            if (!m.matches()) {
                throw UsageErrors.error(spec, "--position '" + position.get() + "' is not X,Y, e.g. 0,0");
            }
            List<WindowLayout> placed = new ArrayList<>(windows.windows());
            placed.set(0, placed.getFirst().at(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))));
            windows = new Layout(placed);
        }
        return windows;
    }

    private long inRange(String option, long value, long min, long max) {
        if (value < min || value > max) {
            throw UsageErrors.error(spec, option + " must be from " + min + " to " + max + ", not " + value);
        }
        return value;
    }

    private int[] windowSize(String text) {
        Matcher m = SIZE.matcher(text);
        if (!m.matches() || Integer.parseInt(m.group(1)) < 16 || Integer.parseInt(m.group(2)) < 16) {
            throw UsageErrors.error(spec, "--size '" + text + "' is not WIDTHxHEIGHT of at least 16x16, e.g. 1280x720");
        }
        return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))};
    }
}

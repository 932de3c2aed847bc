package io.virta.viewer;

import io.virta.bus.tools.Args;
import io.virta.viewer.layout.Layout;
import io.virta.viewer.layout.LayoutFile;
import io.virta.viewer.layout.StreamRef;
import io.virta.viewer.overlay.EventOverlays;
import io.virta.viewer.overlay.OverlayTiming;
import io.virta.worker.FrameSource;
import io.virta.grpc.GrpcTarget;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The viewer's command line, parsed and checked. */
public record ViewerOptions(Layout layout, String display, GrpcTarget control, GrpcTarget hub, long bufferNanos,
        int queueFrames, long noSignalNanos, boolean vsync, OverlayTiming overlayTiming, double statsSeconds,
        double seconds) {

    public static final String USAGE = """
            usage: virta viewer [options] CAMERA... | --layout FILE
              CAMERA                a camera of the producer (its YUV channel is shown), or channel:NAME for a
                                    bus channel read directly (a YUV420P channel, e.g. channel:lobby.yuv)
              --layout L            windows: one window per camera (default for one camera)
                                    grid: all cameras in one window (default for several)
                                    FILE: a layout file (docs/viewer.md), several windows and grids
              --grid CxR            grid of C columns and R rows (implies --layout grid)
              --replicate N         show every camera N times (decode once, draw many; default 1)
              --size WxH            window size (default 640x360 per camera window, 1280x720 for a grid)
              --position X,Y        where the first window goes (default: placed in a row from the top-left)
              --fullscreen          the grid covers the whole screen, without border
              --display :N          the X display (screen) to open, e.g. :0.1 for a second screen of a wall
                                    (default $DISPLAY); one viewer process per screen
              --control HOST:PORT   the producer's control API, to find cameras (default 127.0.0.1:50051;
                                    unix:PATH for its socket)
              --hub HOST:PORT|none  the event hub for overlays (default: the --control address); none: no overlays
              --buffer-ms MS        presentation delay that absorbs network jitter (msbuftime; default 100);
                                    frames later than this are dropped; 0 shows each frame when it arrives
              --queue-frames N      frames each camera can hold waiting (default: enough for the buffer, >= 4)
              --no-signal-seconds S show "no signal" after S seconds without frames (default 2)
              --no-vsync            draw as soon as a frame is due instead of once per screen refresh
              --overlay-seconds S   how long an event's boxes stay on the video (default 1.5)
              --stats S             print each camera's presented/dropped counters every S seconds
              --seconds S           close after S seconds (default: until the window is closed, Q or SIGTERM)
            environment: VIRTA_TOKEN or VIRTA_TOKEN_FILE (the endpoints' token), VIRTA_CA_FILE (TLS: the server's CA)
            keys: click a tile or press 1-9 to enlarge it; click, 0 or Escape to go back; Q to quit
            """;

    private static final Set<String> VALUES = Set.of("layout", "grid", "replicate", "size", "position", "display",
            "control", "hub", "buffer-ms", "queue-frames", "no-signal-seconds", "overlay-seconds", "stats", "seconds");
    private static final Set<String> FLAGS = Set.of("fullscreen", "no-vsync");
    private static final Pattern SIZE = Pattern.compile("(\\d{1,5})x(\\d{1,5})");
    private static final Pattern POSITION = Pattern.compile("(-?\\d{1,5}),(-?\\d{1,5})");

    public static ViewerOptions parse(String[] argv) {
        Args args = new Args("virta viewer", argv, VALUES, FLAGS);
        List<StreamRef> streams = new ArrayList<>();
        for (int i = 0; ; i++) {
            String name;
            try {
                name = args.positional(i, "");
            } catch (Args.UsageException end) {
                break;
            }
            for (String part : name.split(",")) {
                if (!part.isBlank()) {
                    streams.add(StreamRef.parse(part));
                }
            }
        }
        int replicate = (int) range(args, "replicate", 1, 1, 256);
        String layoutName = args.string("layout", null);
        String grid = args.string("grid", null);
        Layout layout;
        if (layoutName != null && !layoutName.equals("windows") && !layoutName.equals("grid")) {
            if (!streams.isEmpty()) {
                throw new Args.UsageException("virta viewer: cameras come from the layout file " + layoutName
                        + "; leave out " + streams + " or the --layout FILE");
            }
            layout = LayoutFile.read(Path.of(layoutName), replicate);
        } else {
            if (streams.isEmpty()) {
                throw new Args.UsageException("virta viewer: name at least one camera (e.g. virta viewer lobby door),"
                        + " or give --layout FILE");
            }
            int[] size = size(args.string("size", null));
            boolean asGrid = grid != null || "grid".equals(layoutName) || args.flag("fullscreen")
                    || (layoutName == null && streams.size() > 1);
            if (asGrid) {
                int columns = 0;
                int rows = 0;
                if (grid != null) {
                    Matcher m = SIZE.matcher(grid);
                    if (!m.matches() || Integer.parseInt(m.group(1)) == 0 || Integer.parseInt(m.group(2)) == 0) {
                        throw new Args.UsageException("virta viewer: --grid '" + grid + "' is not COLUMNSxROWS, e.g. 3x2");
                    }
                    columns = Integer.parseInt(m.group(1));
                    rows = Integer.parseInt(m.group(2));
                    if (columns * rows < streams.size() * replicate) {
                        throw new Args.UsageException("virta viewer: --grid " + grid + " holds " + columns * rows
                                + " tiles, not " + streams.size() * replicate + ": make it larger or leave it out");
                    }
                }
                layout = Layout.grid(streams, replicate, size == null ? Layout.DEFAULT_GRID_WIDTH : size[0],
                        size == null ? Layout.DEFAULT_GRID_HEIGHT : size[1], args.flag("fullscreen"), columns, rows);
            } else {
                layout = Layout.windowPerStream(streams, replicate, size == null ? Layout.DEFAULT_TILE_WIDTH : size[0],
                        size == null ? Layout.DEFAULT_TILE_HEIGHT : size[1]);
            }
            String position = args.string("position", null);
            if (position != null) {
                Matcher m = POSITION.matcher(position);
                if (!m.matches()) {
                    throw new Args.UsageException("virta viewer: --position '" + position + "' is not X,Y, e.g. 0,0");
                }
                List<io.virta.viewer.layout.WindowLayout> windows = new ArrayList<>(layout.windows());
                windows.set(0, windows.getFirst().at(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))));
                layout = new Layout(windows);
            }
        }
        GrpcTarget control = GrpcTarget.parse(args.string("control", FrameSource.DEFAULT_CONTROL), "control");
        // A bad VIRTA_TOKEN_FILE or VIRTA_CA_FILE fails here, naming the variable, not at the first call.
        io.virta.grpc.ClientSecurity.fromEnvironment();
        String hubText = args.string("hub", null);
        GrpcTarget hub = hubText == null ? control : EventOverlays.parseHubOption(hubText).orElse(null);
        long bufferMillis = range(args, "buffer-ms", 100, 0, 10_000);
        int queueFrames = (int) range(args, "queue-frames", Math.max(4, bufferMillis / 33 + 3), 3, 64);
        double noSignal = positive(args, "no-signal-seconds", 2.0);
        String overlaySeconds = args.string("overlay-seconds", null);
        OverlayTiming overlayTiming = overlaySeconds == null ? OverlayTiming.defaults()
                : OverlayTiming.parseOverlaySeconds(overlaySeconds);
        double stats = args.decimal("stats", 0);
        double seconds = args.decimal("seconds", 0);
        return new ViewerOptions(layout, args.string("display", null), control, hub, bufferMillis * 1_000_000L,
                queueFrames, (long) (noSignal * 1e9), !args.flag("no-vsync"), overlayTiming, stats, seconds);
    }

    private static long range(Args args, String name, long fallback, long min, long max) {
        long v = args.number(name, fallback);
        if (v < min || v > max) {
            throw new Args.UsageException("virta viewer: --" + name + " must be from " + min + " to " + max + ", not " + v);
        }
        return v;
    }

    private static double positive(Args args, String name, double fallback) {
        double v = args.decimal(name, fallback);
        if (!(v > 0)) {
            throw new Args.UsageException("virta viewer: --" + name + " must be more than 0, not " + v);
        }
        return v;
    }

    private static int[] size(String text) {
        if (text == null) {
            return null;
        }
        Matcher m = SIZE.matcher(text);
        if (!m.matches() || Integer.parseInt(m.group(1)) < 16 || Integer.parseInt(m.group(2)) < 16) {
            throw new Args.UsageException("virta viewer: --size '" + text + "' is not WIDTHxHEIGHT of at least 16x16,"
                    + " e.g. 1280x720");
        }
        return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))};
    }
}

package io.virta.viewer;

import io.virta.bus.ChannelType;
import io.virta.viewer.feed.FeedState;
import io.virta.viewer.feed.StreamFeed;
import io.virta.viewer.gl.Display;
import io.virta.viewer.gl.ViewerWindow;
import io.virta.viewer.gl.YuvProgram;
import io.virta.viewer.gl.text.TextAtlas;
import io.virta.viewer.gl.text.TextRenderer;
import io.virta.viewer.overlay.EventOverlays;
import io.virta.viewer.overlay.OverlayRenderer;
import io.virta.viewer.overlay.OverlayStore;
import io.virta.viewer.layout.StreamRef;
import io.virta.viewer.layout.WindowLayout;
import io.virta.viewer.present.PresentationClock;
import io.virta.viewer.present.PresentationQueue;
import io.virta.viewer.present.ResolutionClass;
import io.virta.worker.FrameSource;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

import static org.lwjgl.opengl.GL33C.*;

/**
 * The viewer: opens the display and the windows, starts a feed per distinct stream, and runs the render
 * loop on the calling thread (GLFW wants the main thread).
 *
 * <p>Each pass of the loop takes, per stream, the newest frame that is due, uploads it once, and redraws
 * only the windows whose tiles changed (a new frame, a stream going silent, a tile enlarged). With vsync
 * (the default) a window is redrawn at most once per screen refresh, even on an X server that does not
 * block the swap; frames that became due in between are superseded. Between passes the thread sleeps
 * until the next frame is due or a feed wakes it.
 */
public final class Viewer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Viewer.class.getName());
    /** How often silence and feed states are looked at when nothing else wakes the loop. */
    private static final long IDLE_CHECK_NANOS = 250_000_000L;
    /** Tile colour while a stream shows no picture (no signal yet, or silent too long): dark slate. */
    public static final int[] NO_SIGNAL_RGB = {32, 40, 64};
    /** Window background, seen in the gaps between tiles. */
    public static final int[] BACKGROUND_RGB = {8, 8, 8};
    private static final int CAPTION_PIXELS = 14;
    /** Allocation is counted from here on: start-up (buffers, first frames, class loading) is over. */
    private static final long ALLOCATION_WARM_UP_NANOS = 3_000_000_000L;
    private static final String NO_SIGNAL = "NO SIGNAL";
    private static final int CAPTION_RGBA = TextRenderer.rgba(235, 235, 235, 255);
    private static final int DIM_RGBA = TextRenderer.rgba(170, 180, 200, 255);
    private static final int CAPTION_BACKGROUND = TextRenderer.rgba(0, 0, 0, 150);

    private final ViewerOptions options;
    private final PrintStream out;
    private final List<ViewStream> streams = new ArrayList<>();
    private final List<ViewerWindow> windows = new ArrayList<>();
    /** tileStreams[window][tile]: index into {@link #streams}. */
    private int[][] tileStreams;
    private final CountDownLatch finished = new CountDownLatch(1);
    private final int[] rect = new int[4];
    private final int[] video = new int[4];
    private volatile boolean stopping;
    /** Frames queued by all feeds so far, and whether the render loop sleeps: see {@link #frameQueued()}. */
    private final java.util.concurrent.atomic.AtomicLong commits = new java.util.concurrent.atomic.AtomicLong();
    private volatile boolean sleeping;
    private Display display;
    private YuvProgram yuv;
    private TextRenderer text;
    private OverlayStore overlayStore;
    private EventOverlays overlayFeed;
    private OverlayRenderer overlays;
    private long redraws;
    private long startNanos;
    private final AllocationMeter allocations = new AllocationMeter();

    public Viewer(ViewerOptions options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    /** Opens everything, runs until stopped, closes; returns the exit status. */
    public int run() {
        try {
            open();
            return loop();
        } finally {
            closeAll();
            finished.countDown();
        }
    }

    private void open() {
        display = Display.open(options.display());
        yuv = new YuvProgram();
        text = TextRenderer.create(TextAtlas.rasterize(CAPTION_PIXELS));
        List<StreamRef> refs = options.layout().streams();
        if (options.hub() != null) {
            overlayStore = new OverlayStore(refs.stream().map(StreamRef::camera).distinct().toList(),
                    options.overlayTiming());
            overlays = new OverlayRenderer(overlayStore, text);
            overlayFeed = EventOverlays.start(options.hub(), overlayStore);
        }
        for (StreamRef ref : refs) {
            PresentationQueue queue = new PresentationQueue(ref.toString(), options.queueFrames());
            PresentationClock clock = new PresentationClock(options.bufferNanos());
            StreamFeed feed = new StreamFeed(ref.toString(), source(ref), queue, clock, this::frameQueued);
            ViewStream stream = new ViewStream(ref, queue, feed);
            if (overlays != null) {
                stream.overlayKey = overlays.cameraKey(ref.camera());
            }
            streams.add(stream);
        }
        tileStreams = new int[options.layout().windows().size()][];
        int nextX = 0;
        int nextY = 0;
        int rowHeight = 0;
        int[] position = new int[2];
        for (int w = 0; w < options.layout().windows().size(); w++) {
            WindowLayout layout = options.layout().windows().get(w);
            int x;
            int y;
            if (layout.x() != null) {
                x = layout.x();
                y = layout.y();
            } else {
                // Left to right, then the next row down, like tiles on the screen.
                if (nextX > 0 && nextX + layout.width() > display.screenWidth()) {
                    nextX = 0;
                    nextY += rowHeight;
                    rowHeight = 0;
                }
                x = nextX;
                y = nextY;
                nextX += layout.width();
                rowHeight = Math.max(rowHeight, layout.height());
            }
            ViewerWindow window = new ViewerWindow(display, w, layout, x, y, options.vsync());
            windows.add(window);
            tileStreams[w] = new int[layout.tiles().size()];
            for (int t = 0; t < layout.tiles().size(); t++) {
                tileStreams[w][t] = refs.indexOf(layout.tiles().get(t));
            }
            window.position(position);
            out.printf(Locale.ROOT, "window %d \"%s\" at %d,%d size %dx%d: %d tile%s in %dx%d%n", w, layout.title(),
                    position[0], position[1], window.width(), window.height(), layout.tiles().size(),
                    layout.tiles().size() == 1 ? "" : "s", layout.columns(), layout.rows());
        }
        out.flush();
        for (ViewStream s : streams) {
            s.feed.start();
        }
    }

    private FrameSource source(StreamRef ref) {
        FrameSource source = ref.isChannel() ? FrameSource.channel(ref.name()) : FrameSource.camera(ref.name())
                .control(options.control().toString());
        return source.type(ChannelType.YUV420P).attachTimeout(Duration.ofSeconds(2))
                .reresolveAfter(Duration.ofSeconds(2));
    }

    private int loop() {
        startNanos = System.nanoTime();
        long endNanos = options.seconds() > 0 ? startNanos + (long) (options.seconds() * 1e9) : Long.MAX_VALUE;
        long refreshNanos = 1_000_000_000L / display.refreshRate();
        long statsNanos = options.statsSeconds() > 0 ? (long) (options.statsSeconds() * 1e9) : 0;
        long nextStats = statsNanos > 0 ? startNanos + statsNanos : Long.MAX_VALUE;
        long lastRedraw = startNanos - refreshNanos;
        boolean[] changed = new boolean[streams.size()];
        while (!stopping) {
            long now = System.nanoTime();
            if (now - endNanos >= 0) {
                break;
            }
            boolean redrawAllowed = !options.vsync() || now - lastRedraw >= refreshNanos;
            long commitsSeen = commits.get();
            // Uploads go into whichever context is current (all share the textures): no switch per frame.
            boolean anyChanged = false;
            for (int i = 0; i < streams.size(); i++) {
                changed[i] = present(streams.get(i), now, redrawAllowed);
                anyChanged |= changed[i];
            }
            String failure = failure();
            if (failure != null) {
                out.flush();
                System.err.println("error: " + failure);
                return 1;
            }
            if (anyChanged) {
                glFlush();   // the windows' contexts see this context's uploads once they are flushed
                for (int w = 0; w < windows.size(); w++) {
                    int[] tiles = tileStreams[w];
                    for (int t = 0; t < tiles.length; t++) {
                        if (changed[tiles[t]]) {
                            windows.get(w).markTileDirty(t);
                        }
                    }
                }
            }
            if (redrawAllowed) {
                boolean drew = false;
                for (int w = 0; w < windows.size(); w++) {
                    ViewerWindow window = windows.get(w);
                    if (window.isDirty()) {
                        draw(window, now);
                        drew = true;
                    }
                }
                if (drew) {
                    lastRedraw = now;
                    redraws++;
                }
            }
            for (int w = 0; w < windows.size(); w++) {
                if (windows.get(w).closeRequested()) {
                    stopping = true;
                }
            }
            if (!allocations.started() && now - startNanos > ALLOCATION_WARM_UP_NANOS) {
                allocations.start(feedThreadIds(), redraws, presented());
            }
            if (now - nextStats >= 0) {
                printStats("stats");
                nextStats += statsNanos;
            }
            long wake = Math.min(now + IDLE_CHECK_NANOS, Math.min(endNanos, nextStats));
            for (int i = 0; i < streams.size(); i++) {
                wake = Math.min(wake, streams.get(i).queue.nextDueNanos(wake));
            }
            if (options.vsync()) {
                wake = Math.max(wake, lastRedraw + refreshNanos);
            }
            // Feeds wake the loop only while it sleeps (each wake is a GLFW call). Announce the sleep, then
            // look once more for a frame committed meanwhile: a feed that committed before seeing the
            // announcement is caught here, one that committed after it sees it and wakes us.
            sleeping = true;
            display.waitEvents(commits.get() != commitsSeen ? 0 : wake - System.nanoTime());
            sleeping = false;
        }
        return 0;
    }

    /** Shows the stream's due frame if there is one; true when its tiles must be redrawn. */
    private boolean present(ViewStream s, long now, boolean redrawAllowed) {
        boolean changed = false;
        ResolutionClass wanted = s.queue.wantedClass();
        if (wanted != null && s.queue.beginReallocation()) {
            s.queue.reallocated(wanted, s.textures.allocate(wanted, s.queue.slots()));
            LOG.info(() -> "stream '" + s.ref + "': buffers for frames up to " + wanted + " (" + s.queue.slots()
                    + " frames)");
        }
        if (redrawAllowed) {
            int slot = s.queue.takeDue(now);
            if (slot != PresentationQueue.NONE) {
                int height = s.queue.height(slot);
                long mapped = s.textures.upload(slot, s.queue.width(slot), height);
                s.conversion.set(s.queue.matrix(slot), s.queue.range(slot), height);
                s.queue.presented(slot, mapped);
                s.lastPresentNanos = now;
                changed = true;
            }
        }
        boolean live = s.textures.hasFrame() && now - s.lastPresentNanos < options.noSignalNanos();
        if (live != s.live) {
            s.live = live;
            changed = true;
        }
        FeedState state = s.feed.state();
        if (state != s.shownState) {
            s.shownState = state;
            changed = true;
        }
        return changed;
    }

    /** Called by feed threads after each frame they queue. */
    private void frameQueued() {
        commits.incrementAndGet();
        if (sleeping) {
            Display.wake();
        }
    }

    /**
     * Redraws the window's dirty tiles into its canvas, then shows the canvas: a grid where one camera
     * has a new frame costs one tile's drawing, not the whole window's.
     */
    private void draw(ViewerWindow window, long now) {
        window.makeCurrent();
        int fbWidth = window.framebufferWidth();
        int fbHeight = window.framebufferHeight();
        boolean everything = window.beginRedraw();
        if (everything) {
            glDisable(GL_SCISSOR_TEST);
            glViewport(0, 0, fbWidth, fbHeight);
            clear(BACKGROUND_RGB);
        }
        int[] tiles = tileStreams[window.index()];
        for (int t = 0; t < tiles.length; t++) {
            if (!window.tileRect(t, rect) || !(everything || window.isTileDirty(t))) {
                continue;
            }
            drawTile(window, streams.get(tiles[t]), fbWidth, fbHeight, now);
        }
        glDisable(GL_SCISSOR_TEST);
        glViewport(0, 0, fbWidth, fbHeight);
        window.endRedraw();
    }

    /** Draws one tile (at {@link #rect}): its picture and boxes, or NO SIGNAL, and its caption. */
    private void drawTile(ViewerWindow window, ViewStream s, int fbWidth, int fbHeight, long now) {
        glEnable(GL_SCISSOR_TEST);
        glScissor(rect[0], fbHeight - rect[1] - rect[3], rect[2], rect[3]);
        if (s.live) {
            clear(BACKGROUND_RGB);
            fit(s.textures.frameWidth(), s.textures.frameHeight(), rect, video);
            glViewport(video[0], fbHeight - video[1] - video[3], video[2], video[3]);
            window.bindVertexArray();
            yuv.draw(s.textures, s.conversion);
            glViewport(0, 0, fbWidth, fbHeight);
            if (overlays != null && s.overlayKey >= 0) {
                overlays.draw(window.index(), s.overlayKey, video[0], video[1], video[2], video[3], fbWidth,
                        fbHeight, s.queue.presentedCaptureMicros(), now);
            }
        } else {
            clear(NO_SIGNAL_RGB);
            glViewport(0, 0, fbWidth, fbHeight);
        }
        // Text stays inside its tile: the other tiles are not drawn again to repair what spills over.
        glEnable(GL_SCISSOR_TEST);
        glScissor(rect[0], fbHeight - rect[1] - rect[3], rect[2], rect[3]);
        caption(window, s, fbWidth, fbHeight);
    }

    /**
     * The tile's camera name in its bottom-left corner, and over a tile without picture why: "NO SIGNAL"
     * and the feed's state. The strings are made once, so nothing is allocated.
     */
    private void caption(ViewerWindow window, ViewStream s, int fbWidth, int fbHeight) {
        text.begin(window.index(), fbWidth, fbHeight);
        float line = text.lineHeight(1);
        text.text(s.caption, rect[0] + 4, rect[1] + rect[3] - line - 4, 1, CAPTION_RGBA, CAPTION_BACKGROUND);
        if (!s.live) {
            float big = rect[2] >= 320 ? 2 : 1;
            float x = rect[0] + (rect[2] - text.textWidth(NO_SIGNAL.length(), big)) / 2;
            float y = rect[1] + rect[3] / 2f - text.lineHeight(big);
            text.text(NO_SIGNAL, x, y, big, CAPTION_RGBA, 0);
            String why = reason(s);
            text.text(why, rect[0] + (rect[2] - text.textWidth(why.length(), 1)) / 2, y + text.lineHeight(big) + 4,
                    1, DIM_RGBA, 0);
        }
        text.end();
    }

    private static String reason(ViewStream s) {
        return switch (s.feed.state()) {
            case CONNECTING -> s.ref.isChannel() ? "waiting for the channel" : "connecting to the producer";
            case WAITING_FOR_WRITER -> "waiting for the producer";
            case FAILED -> "stopped";
            case STREAMING -> s.textures.hasFrame() ? "no frames from the camera" : "waiting for the first frame";
        };
    }

    /** The largest rectangle of the picture's aspect ratio centred in {@code tile} (letterbox or pillarbox). */
    static void fit(int pictureWidth, int pictureHeight, int[] tile, int[] into) {
        long widthAtFullHeight = (long) tile[3] * pictureWidth / Math.max(1, pictureHeight);
        if (widthAtFullHeight <= tile[2]) {
            into[2] = (int) Math.max(1, widthAtFullHeight);
            into[3] = tile[3];
        } else {
            into[2] = tile[2];
            into[3] = (int) Math.max(1, (long) tile[2] * pictureHeight / Math.max(1, pictureWidth));
        }
        into[0] = tile[0] + (tile[2] - into[2]) / 2;
        into[1] = tile[1] + (tile[3] - into[3]) / 2;
    }

    private static void clear(int[] rgb) {
        glClearColor(rgb[0] / 255f, rgb[1] / 255f, rgb[2] / 255f, 1f);
        glClear(GL_COLOR_BUFFER_BIT);
    }

    /** A feed that stopped for good (an unknown camera, a channel of the wrong type) ends the viewer. */
    private String failure() {
        for (int i = 0; i < streams.size(); i++) {
            StreamFeed feed = streams.get(i).feed;
            if (feed.state() == FeedState.FAILED) {
                return feed.failure();
            }
        }
        return null;
    }

    private void printStats(String label) {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        for (ViewStream s : streams) {
            PresentationQueue q = s.queue;
            out.printf(Locale.ROOT, "%s %s: presented %d of %d frames in %.1f s; dropped: late %d, superseded %d,"
                            + " overflow %d, torn %d, reallocating %d; bus lost %d; re-attaches %d; %s%n", label, s.ref,
                    q.presented(), q.received(), seconds, q.late(), q.superseded(), q.overflow(), q.torn(),
                    q.reallocating(), s.feed.busLost(), s.feed.reattaches(), s.feed.state());
        }
        // One line for the whole process, after its streams' lines: how often windows were drawn (benchmarks).
        out.printf(Locale.ROOT, "viewer: redraws %d in %.1f s%n", redraws, seconds);
        out.flush();
    }

    private long[] feedThreadIds() {
        long[] ids = new long[streams.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = streams.get(i).feed.threadId();
        }
        return ids;
    }

    private long presented() {
        long sum = 0;
        for (int i = 0; i < streams.size(); i++) {
            sum += streams.get(i).queue.presented();
        }
        return sum;
    }

    /** Ends the render loop from any thread; returns when the viewer has closed (or after 3 s). */
    public void stop() {
        stopping = true;
        Display.wake();
        try {
            finished.await(3, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Passes of the render loop that redrew at least one window, so far. */
    public long redraws() {
        return redraws;
    }

    private void closeAll() {
        if (!streams.isEmpty()) {
            printStats("summary");
            out.println(allocations.summary(redraws, presented()));
            out.flush();
        }
        for (ViewStream s : streams) {
            s.close();
        }
        if (overlayFeed != null) {
            overlayFeed.close();
        }
        if (display != null) {
            display.makeCurrent();
            for (ViewStream s : streams) {
                s.textures.close();
            }
            if (yuv != null) {
                yuv.close();
            }
            for (ViewerWindow w : windows) {
                if (text != null) {
                    w.makeCurrent();
                    text.releaseWindow(w.index());
                }
                w.close();
            }
            display.makeCurrent();
            if (text != null) {
                text.close();
            }
            display.close();
        }
    }

    @Override
    public void close() {
        stop();
    }
}

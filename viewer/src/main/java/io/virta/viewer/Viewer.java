package io.virta.viewer;

import io.virta.bus.ChannelType;
import io.virta.viewer.feed.FeedState;
import io.virta.viewer.feed.StreamFeed;
import io.virta.viewer.gl.Display;
import io.virta.viewer.gl.ViewerWindow;
import io.virta.viewer.gl.YuvProgram;
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
    private Display display;
    private YuvProgram yuv;
    private long redraws;
    private long startNanos;

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
        List<StreamRef> refs = options.layout().streams();
        for (StreamRef ref : refs) {
            PresentationQueue queue = new PresentationQueue(ref.toString(), options.queueFrames());
            PresentationClock clock = new PresentationClock(options.bufferNanos());
            StreamFeed feed = new StreamFeed(ref.toString(), source(ref), queue, clock, Display::wake);
            streams.add(new ViewStream(ref, queue, feed));
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
            display.makeCurrent();
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
                    for (int s : tileStreams[w]) {
                        if (changed[s]) {
                            windows.get(w).markDirty();
                            break;
                        }
                    }
                }
            }
            if (redrawAllowed) {
                boolean drew = false;
                for (ViewerWindow window : windows) {
                    if (window.isDirty()) {
                        draw(window);
                        drew = true;
                    }
                }
                if (drew) {
                    lastRedraw = now;
                    redraws++;
                }
            }
            for (ViewerWindow window : windows) {
                if (window.closeRequested()) {
                    stopping = true;
                }
            }
            if (now - nextStats >= 0) {
                printStats("stats");
                nextStats += statsNanos;
            }
            long wake = Math.min(now + IDLE_CHECK_NANOS, Math.min(endNanos, nextStats));
            for (ViewStream s : streams) {
                wake = Math.min(wake, s.queue.nextDueNanos(wake));
            }
            if (options.vsync()) {
                wake = Math.max(wake, lastRedraw + refreshNanos);
            }
            display.waitEvents(wake - System.nanoTime());
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

    private void draw(ViewerWindow window) {
        window.makeCurrent();
        int fbWidth = window.framebufferWidth();
        int fbHeight = window.framebufferHeight();
        glDisable(GL_SCISSOR_TEST);
        glViewport(0, 0, fbWidth, fbHeight);
        clear(BACKGROUND_RGB);
        glEnable(GL_SCISSOR_TEST);
        int[] tiles = tileStreams[window.index()];
        for (int t = 0; t < tiles.length; t++) {
            if (!window.tileRect(t, rect)) {
                continue;
            }
            ViewStream s = streams.get(tiles[t]);
            glScissor(rect[0], fbHeight - rect[1] - rect[3], rect[2], rect[3]);
            if (s.live) {
                clear(BACKGROUND_RGB);
                fit(s.textures.frameWidth(), s.textures.frameHeight(), rect, video);
                glViewport(video[0], fbHeight - video[1] - video[3], video[2], video[3]);
                yuv.draw(s.textures, s.conversion);
            } else {
                clear(NO_SIGNAL_RGB);
            }
        }
        glDisable(GL_SCISSOR_TEST);
        window.swapBuffers();
        window.markClean();
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
        for (ViewStream s : streams) {
            if (s.feed.state() == FeedState.FAILED) {
                return s.feed.failure();
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

    /** Window redraws so far. */
    public long redraws() {
        return redraws;
    }

    /** The presentation queue of each distinct stream, in layout order (for benchmarks and tests). */
    public List<PresentationQueue> queues() {
        return streams.stream().map(s -> s.queue).toList();
    }

    private void closeAll() {
        if (!streams.isEmpty()) {
            printStats("summary");
        }
        for (ViewStream s : streams) {
            s.close();
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
                w.close();
            }
            display.close();
        }
    }

    @Override
    public void close() {
        stop();
    }
}

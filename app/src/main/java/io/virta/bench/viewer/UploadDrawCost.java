package io.virta.bench.viewer;

import io.virta.bench.BenchReport;

import io.virta.bus.ColorMatrix;
import io.virta.bus.ColorRange;
import io.virta.viewer.gl.ColorConversion;
import io.virta.viewer.gl.Display;
import io.virta.viewer.gl.StreamTextures;
import io.virta.viewer.gl.ViewerWindow;
import io.virta.viewer.gl.YuvProgram;
import io.virta.viewer.layout.StreamRef;
import io.virta.viewer.layout.WindowLayout;
import io.virta.viewer.present.ResolutionClass;
import org.lwjgl.system.MemoryUtil;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.lwjgl.opengl.GL33C.*;

/**
 * Part 1, {@code --part upload}: what one frame costs the render thread, in the benchmark's own
 * process on the X server, through the viewer's own classes.
 *
 * <p>Uploads: Virta's path ({@link StreamTextures}: the frame copied into a mapped pixel buffer, as the
 * feed thread does, then unmapped, uploaded into the three plane textures and mapped again) against
 * the naive path (glTexSubImage2D of each plane straight from client memory). Draws: {@link YuvProgram}
 * into a 640x360 tile and into a window of the frame's size, against {@link RgbQuad}, a trivial shader
 * on an RGB texture, drawn the same size. A memcpy of the frame and glFinish alone are yardsticks.
 *
 * <p>Every iteration ends with glFinish, so that each frame's work is done when the clock stops (a
 * software renderer such as llvmpipe works only once flushed; finishing once after N draws measured
 * the same per draw). Wall time is what the render thread waits; CPU time is the whole process's,
 * which includes the renderer's own threads (llvmpipe rasterizes on one thread per core). Each row runs
 * for about {@value #ROW_MILLIS} ms per round; rounds interleave the rows, so that a burst of load from
 * elsewhere hits every row a little rather than one row a lot; the table gives the median and 90th
 * percentile of the rounds' µs per frame.
 */
final class UploadDrawCost {
    private static final int ROW_MILLIS = 60;
    private static final int SLOTS = 4;
    /** Source frames taken in turn: more memory than the CPU's cache, as frames arriving from the bus are. */
    private static final int SOURCES = 12;
    private static final int TILE_WIDTH = 640;
    private static final int TILE_HEIGHT = 360;
    /** The whole address space, so that copying into a mapped pixel buffer needs no segment per frame. */
    private static final MemorySegment EVERYWHERE = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);
    private static final ProcessCpuClock PROCESS = new ProcessCpuClock();
    private static final int WALL = 0;
    private static final int CPU = 1;

    private final BenchReport report;
    private final int rounds;

    UploadDrawCost(BenchReport report, int rounds) {
        this.report = report;
        this.rounds = rounds;
    }

    /** One line of the table: what it measures, the row it is compared with (itself for a peer), the work. */
    private record Row(String what, int peer, Iteration work, GlContext context) {
    }

    @FunctionalInterface
    private interface Iteration {
        void run(int i);
    }

    @FunctionalInterface
    private interface GlContext {
        void makeCurrent();
    }

    void measure(String displayName) {
        Display display = Display.open(displayName);
        try {
            report.line("### Upload and draw cost per frame (in process, %s rounds; every iteration ends with glFinish)",
                    rounds);
            report.line("");
            report.line("OpenGL: %s, %s.", glGetString(GL_RENDERER), glGetString(GL_VERSION));
            report.line("");
            report.header("frame", "what", "wall µs per frame, median", "p90", "vs peer", "CPU µs per frame, median",
                    "vs peer");
            for (ResolutionClass c : List.of(ResolutionClass.HD_720, ResolutionClass.FULL_HD_1080)) {
                measure(display, c);
            }
        } finally {
            display.close();
        }
        report.line("");
    }

    private void measure(Display display, ResolutionClass frame) {
        int width = frame.width();
        int height = frame.height();
        long frameBytes = frame.frameBytes();
        int chromaWidth = frame.chromaWidth();
        int chromaHeight = frame.chromaHeight();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment[] sources = new MemorySegment[SOURCES];
            for (int s = 0; s < SOURCES; s++) {
                sources[s] = arena.allocate(frameBytes, 4096);
                for (long b = 0; b < frameBytes; b += 8) {
                    sources[s].set(ValueLayout.JAVA_LONG_UNALIGNED, b, b * 0x9E3779B97F4A7C15L + s);
                }
            }
            MemorySegment privateFrame = arena.allocate(frameBytes, 4096);
            display.makeCurrent();
            StreamTextures textures = new StreamTextures();
            long[] mapped = textures.allocate(frame, SLOTS);
            int[] plain = planeTextures(width, height, chromaWidth, chromaHeight);
            ViewerWindow window = new ViewerWindow(display, 0, new WindowLayout("virta bench " + frame, width, height,
                    0, 0, false, 1, 1, List.of(StreamRef.channel("bench"))), 0, 0, false);
            window.makeCurrent();
            YuvProgram yuv = new YuvProgram();
            ByteBuffer rgbPixels = MemoryUtil.memAlloc(width * height * 3);
            RgbQuad rgb;
            try {
                for (int b = 0; b < rgbPixels.capacity(); b++) {
                    rgbPixels.put(b, (byte) (b * 7));
                }
                rgb = new RgbQuad(width, height, rgbPixels);
            } finally {
                MemoryUtil.memFree(rgbPixels);
            }
            ColorConversion conversion = new ColorConversion().set(ColorMatrix.BT709, ColorRange.LIMITED, height);
            // A frame in the textures before anything is drawn from them.
            display.makeCurrent();
            MemorySegment.copy(sources[0], 0, EVERYWHERE, mapped[0], frameBytes);
            mapped[0] = textures.upload(0, width, height);
            glFinish();

            GlContext resources = display::makeCurrent;
            GlContext onScreen = window::makeCurrent;
            String size = width + "x" + height;
            String mb = BenchReport.fixed(frameBytes / 1e6, 2) + " MB";
            List<Row> rows = new ArrayList<>();
            rows.add(new Row("memcpy of one I420 frame (" + mb + ") into a private buffer (yardstick)", 0,
                    i -> MemorySegment.copy(sources[i % SOURCES], 0, privateFrame, 0, frameBytes), () -> { }));
            rows.add(new Row("glFinish alone (the timing's floor)", 1, i -> glFinish(), resources));
            rows.add(new Row("naive upload: 3× glTexSubImage2D straight from client memory (peer)", 2, i -> {
                naiveUpload(plain, sources[i % SOURCES].address(), width, height, chromaWidth, chromaHeight);
                glFinish();
            }, resources));
            rows.add(new Row("**Virta upload: copy into the mapped PBO, unmap, 3× glTexSubImage2D from it, re-map**", 2,
                    i -> {
                        int slot = i % SLOTS;
                        MemorySegment.copy(sources[i % SOURCES], 0, EVERYWHERE, mapped[slot], frameBytes);
                        mapped[slot] = textures.upload(slot, width, height);
                        glFinish();
                    }, resources));
            rows.add(new Row("Virta upload, the render thread's share (the copy is the feed thread's): unmap,"
                    + " 3× glTexSubImage2D, re-map", 2, i -> {
                        int slot = i % SLOTS;
                        mapped[slot] = textures.upload(slot, width, height);
                        glFinish();
                    }, resources));
            rows.add(new Row("draw: RGB texture quad, trivial shader, into a 640x360 tile (peer)", 5, i -> {
                rgb.draw();
                glFinish();
            }, viewport(onScreen, TILE_WIDTH, TILE_HEIGHT)));
            rows.add(new Row("**draw: YuvProgram into a 640x360 tile**", 5, i -> {
                yuv.draw(textures, conversion);
                glFinish();
            }, viewport(onScreen, TILE_WIDTH, TILE_HEIGHT)));
            rows.add(new Row("draw: RGB texture quad, trivial shader, into the " + size + " window (peer)", 7, i -> {
                rgb.draw();
                glFinish();
            }, viewport(onScreen, width, height)));
            rows.add(new Row("**draw: YuvProgram into the " + size + " window**", 7, i -> {
                yuv.draw(textures, conversion);
                glFinish();
            }, viewport(onScreen, width, height)));
            rows.add(new Row("swap buffers of the " + size + " window (its copy to the X server; yardstick)", 9, i -> {
                window.swapBuffers();
                glFinish();
            }, onScreen));
            double[][][] micros = run(rows);
            double[] wall = new double[rows.size()];
            double[] cpu = new double[rows.size()];
            for (int r = 0; r < rows.size(); r++) {
                wall[r] = BenchReport.quantile(micros[WALL][r], 0.5);
                cpu[r] = BenchReport.quantile(micros[CPU][r], 0.5);
            }
            for (int r = 0; r < rows.size(); r++) {
                Row row = rows.get(r);
                report.row(height + "p", row.what(), micros(wall[r]), micros(BenchReport.quantile(micros[WALL][r], 0.9)),
                        row.peer() == r ? "1.00×" : BenchReport.ratio(wall[r], wall[row.peer()]), micros(cpu[r]),
                        row.peer() == r ? "1.00×" : BenchReport.ratio(cpu[r], cpu[row.peer()]));
            }
            window.makeCurrent();
            rgb.close();
            yuv.close();
            window.close();
            display.makeCurrent();
            glDeleteTextures(plain);
            textures.close();
        }
    }

    /** Rounds over every row: µs per frame of each row in each round, [WALL] and [CPU]. */
    private double[][][] run(List<Row> rows) {
        int[] iterations = new int[rows.size()];
        for (int r = 0; r < rows.size(); r++) {
            // A warm-up pass that also sizes the row: enough iterations for about ROW_MILLIS.
            double once = time(rows.get(r), 3)[WALL] / 3;
            iterations[r] = (int) Math.max(3, Math.min(2000, ROW_MILLIS * 1e6 / Math.max(1, once)));
        }
        double[][][] micros = new double[2][rows.size()][rounds];
        for (int round = 0; round < rounds; round++) {
            for (int r = 0; r < rows.size(); r++) {
                double[] nanos = time(rows.get(r), iterations[r]);
                micros[WALL][r][round] = nanos[WALL] / iterations[r] / 1000;
                micros[CPU][r][round] = nanos[CPU] / iterations[r] / 1000;
            }
        }
        return micros;
    }

    /** Nanoseconds of wall and of process CPU time for {@code n} iterations of {@code row}. */
    private static double[] time(Row row, int n) {
        row.context().makeCurrent();
        glFinish();
        long cpu = PROCESS.nanos();
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            row.work().run(i);
        }
        long wall = System.nanoTime() - start;
        return new double[] {wall, PROCESS.nanos() - cpu};
    }

    /** Whole µs, or tenths below 10 µs. */
    private static String micros(double value) {
        return BenchReport.fixed(value, value < 10 ? 1 : 0);
    }

    private static GlContext viewport(GlContext context, int width, int height) {
        return () -> {
            context.makeCurrent();
            glViewport(0, 0, width, height);
        };
    }

    /** Three plane textures of their own, for the naive upload (no pixel buffer involved). */
    private static int[] planeTextures(int width, int height, int chromaWidth, int chromaHeight) {
        int[] planes = new int[3];
        glGenTextures(planes);
        for (int p = 0; p < 3; p++) {
            glBindTexture(GL_TEXTURE_2D, planes[p]);
            glTexImage2D(GL_TEXTURE_2D, 0, GL_R8, p == 0 ? width : chromaWidth, p == 0 ? height : chromaHeight, 0,
                    GL_RED, GL_UNSIGNED_BYTE, 0L);
        }
        glBindTexture(GL_TEXTURE_2D, 0);
        return planes;
    }

    private static void naiveUpload(int[] planes, long frame, int width, int height, int chromaWidth,
            int chromaHeight) {
        glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
        glBindTexture(GL_TEXTURE_2D, planes[0]);
        nglTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, width, height, GL_RED, GL_UNSIGNED_BYTE, frame);
        long luma = (long) width * height;
        long chroma = (long) chromaWidth * chromaHeight;
        glBindTexture(GL_TEXTURE_2D, planes[1]);
        nglTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, chromaWidth, chromaHeight, GL_RED, GL_UNSIGNED_BYTE, frame + luma);
        glBindTexture(GL_TEXTURE_2D, planes[2]);
        nglTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, chromaWidth, chromaHeight, GL_RED, GL_UNSIGNED_BYTE,
                frame + luma + chroma);
        glBindTexture(GL_TEXTURE_2D, 0);
    }
}

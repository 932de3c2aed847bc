package io.virta.worker.opencv;

import io.virta.worker.WorkerFrame;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * A worker's frame as an OpenCV Mat over the bus's shared memory: no copy, and no allocation after the
 * first frame in each ring cell. The headers are the frame's {@link CellMats} views, made on first use;
 * the stream invalidates them when it re-attaches or closes.
 *
 * <p>Threads: call it on the thread that reads the stream (the worker's, in a {@code WorkerRunner}).
 * Lifetime: a Mat is valid until the stream's next frame, and only while {@code frame.isIntact()}
 * holds; do not keep it, and do not write into it, since it is every other reader's picture too.
 *
 * <pre>{@code
 * import static io.virta.worker.opencv.FrameMats.mat;
 *
 * cvtColor(mat(frame), grey, COLOR_RGB2GRAY);   // an RGB24 frame: rows x cols CV_8UC3, in R,G,B order
 * }</pre>
 */
public final class FrameMats {
    private FrameMats() {
    }

    /**
     * The picture: RGB24 gives rows x cols CV_8UC3 in R,G,B order (use {@code COLOR_RGB2GRAY},
     * {@code COLOR_RGB2BGR}); GRAY8 rows x cols CV_8UC1; tightly packed I420 or NV12 a
     * (rows * 3 / 2) x cols CV_8UC1 Mat, the layout {@code COLOR_YUV2BGR_I420} expects.
     *
     * @throws UnsupportedOperationException for encoded frames, and planar frames with padded rows
     */
    public static Mat mat(WorkerFrame frame) {
        return cellMats(frame).mat(frame.busFrame(), frame.cell(), frame.cellCount());
    }

    /**
     * The luma plane of an I420, NV12 or GRAY8 frame, rows x cols CV_8UC1: grey without a conversion.
     *
     * @throws UnsupportedOperationException for RGB and encoded frames
     */
    public static Mat lumaMat(WorkerFrame frame) {
        return cellMats(frame).luma(frame.busFrame(), frame.cell(), frame.cellCount());
    }

    private static CellMats cellMats(WorkerFrame frame) {
        return frame.views(CellMats.class, FrameMats::newCellMats);
    }

    private static CellMats newCellMats(WorkerFrame frame) {
        return new CellMats(frame.channel());
    }
}

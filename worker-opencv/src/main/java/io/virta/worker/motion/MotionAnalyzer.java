package io.virta.worker.motion;

import io.virta.bus.PixelFormat;
import io.virta.worker.Region;
import io.virta.worker.WorkerFrame;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.MatVector;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

import java.nio.ByteOrder;
import java.nio.IntBuffer;

import static io.virta.worker.opencv.FrameMats.lumaMat;
import static io.virta.worker.opencv.FrameMats.mat;
import static org.bytedeco.opencv.global.opencv_core.BORDER_CONSTANT;
import static org.bytedeco.opencv.global.opencv_core.CV_32S;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_core.absdiff;
import static org.bytedeco.opencv.global.opencv_core.multiply;
import static org.bytedeco.opencv.global.opencv_core.bitwise_and;
import static org.bytedeco.opencv.global.opencv_core.countNonZero;
import static org.bytedeco.opencv.global.opencv_imgproc.CHAIN_APPROX_SIMPLE;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2GRAY;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_RGB2GRAY;
import static org.bytedeco.opencv.global.opencv_imgproc.GaussianBlur;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.MORPH_RECT;
import static org.bytedeco.opencv.global.opencv_imgproc.RETR_EXTERNAL;
import static org.bytedeco.opencv.global.opencv_imgproc.THRESH_BINARY;
import static org.bytedeco.opencv.global.opencv_imgproc.boundingRect;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;
import static org.bytedeco.opencv.global.opencv_imgproc.dilate;
import static org.bytedeco.opencv.global.opencv_imgproc.findContours;
import static org.bytedeco.opencv.global.opencv_imgproc.getStructuringElement;
import static org.bytedeco.opencv.global.opencv_imgproc.integral;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;
import static org.bytedeco.opencv.global.opencv_imgproc.threshold;

/**
 * Finds what moved between two analyzed frames: grey levels, blur, difference against the previous
 * analyzed frame, threshold, ignore mask, dilation, contours, bounding rectangles above the minimum
 * area, merged while they overlap.
 *
 * <p>Steady state allocates no pixel buffers: every Mat (grey, blurred, previous, mask, dilated,
 * integral image) is made once per picture size and reused, and the two blurred frames swap roles.
 * Contour finding is the exception: OpenCV allocates the contours' point lists natively, and JavaCPP
 * one Mat and one Rect wrapper per contour (about 1.4 KB of short-lived Java objects per contour,
 * measured), both closed at once. A frame without motion allocates nothing. It stays bounded: past
 * {@value #MAX_CONTOURS} contours (the whole picture is changing) the analyzer stops looking at them
 * one by one and reports one box around every moving pixel.
 *
 * <p>Pictures wider than {@value #WORK_WIDTH} pixels are scaled down first; boxes are normalized, so
 * the scale does not show in the results.
 */
public final class MotionAnalyzer implements AutoCloseable {
    static final int WORK_WIDTH = 640;
    static final int MAX_CONTOURS = 512;
    static final int MAX_BOXES = 64;

    private final MotionOptions options;

    // Per picture size; remade when the size changes.
    private int width;
    private int height;
    private int workWidth;
    private int workHeight;
    private Mat grey;
    private Mat small;
    private Mat blurred;
    private Mat previous;
    private Mat diff;
    private Mat mask;
    private Mat dilated;
    private Mat allowed;
    private Mat sums;
    private IntBuffer sumCells;
    private Size workSize;
    private Size blurSize;
    private final Mat kernel = getStructuringElement(MORPH_RECT, new Size(3, 3));
    private final Point anchor = new Point(-1, -1);
    private final Scalar borderValue = new Scalar(0.0);
    private final MatVector contours = new MatVector();
    private boolean havePrevious;

    // Results of the last analyze(): pixel boxes x0, y0, x1, y1 (exclusive) in work coordinates.
    private final int[] boxes = new int[(MAX_BOXES + 1) * 4];
    private final double[] scores = new double[MAX_BOXES];
    private int boxCount;
    private double movingFraction;

    public MotionAnalyzer(MotionOptions options) {
        this.options = options;
    }

    /**
     * Analyzes {@code frame} against the previous analyzed one. Returns true when something moved; the
     * boxes and fractions are then in {@link #boxCount()} and friends. The first frame (and the first after
     * {@link #reset()} or a change of size) only becomes the reference.
     */
    public boolean analyze(WorkerFrame frame) {
        boxCount = 0;
        movingFraction = 0;
        PixelFormat format = frame.format();
        if (frame.width() != width || frame.height() != height) {
            allocate(frame.width(), frame.height());
        }
        Mat source;
        if (format == PixelFormat.RGB24 || format == PixelFormat.BGR24) {
            cvtColor(mat(frame), grey, format == PixelFormat.RGB24 ? COLOR_RGB2GRAY : COLOR_BGR2GRAY);
            source = grey;
        } else {
            source = lumaMat(frame);    // I420, NV12, GRAY8: the luma plane is already grey
        }
        if (small != null) {
            resize(source, small, workSize, 0, 0, INTER_AREA);
            source = small;
        }
        if (allowed != null) {
            // Blank the ignored regions before blurring: blurred, their changes would spill a few pixels
            // beyond them, where the mask no longer hides them (a clock's digits, a frame counter).
            multiply(source, allowed, diff);
            source = diff;
        }
        GaussianBlur(source, blurred, blurSize, 0);
        if (!frame.isIntact()) {
            // The writer reused the cell while we read it: the picture may be torn. Start over from the next one.
            havePrevious = false;
            return false;
        }
        if (!havePrevious) {
            swap();
            havePrevious = true;
            return false;
        }
        absdiff(blurred, previous, diff);
        swap();
        threshold(diff, mask, options.threshold(), 1, THRESH_BINARY);
        if (allowed != null) {
            bitwise_and(mask, allowed, mask);
        }
        int moving = countNonZero(mask);
        if (moving == 0) {
            return false;
        }
        movingFraction = moving / (double) (workWidth * workHeight);
        integral(mask, sums, CV_32S);
        dilate(mask, dilated, kernel, anchor, 2, BORDER_CONSTANT, borderValue);
        collectBoxes();
        mergeOverlapping();
        for (int i = 0; i < boxCount; i++) {
            int o = i * 4;
            long area = (long) (boxes[o + 2] - boxes[o]) * (boxes[o + 3] - boxes[o + 1]);
            scores[i] = Math.min(1.0, movedIn(boxes[o], boxes[o + 1], boxes[o + 2], boxes[o + 3]) / (double) area);
        }
        return boxCount > 0;
    }

    private void collectBoxes() {
        findContours(dilated, contours, RETR_EXTERNAL, CHAIN_APPROX_SIMPLE);
        long n = contours.size();
        double minPixels = options.minArea() * workWidth * workHeight;
        if (n > MAX_CONTOURS) {
            try (Rect r = boundingRect(dilated)) {
                addBox(r.x(), r.y(), r.width(), r.height(), minPixels);
            }
            return;
        }
        for (long i = 0; i < n; i++) {
            try (Mat contour = contours.get(i); Rect r = boundingRect(contour)) {
                addBox(r.x(), r.y(), r.width(), r.height(), minPixels);
            }
        }
    }

    private void addBox(int x, int y, int w, int h, double minPixels) {
        if ((double) w * h < minPixels || w <= 0 || h <= 0) {
            return;
        }
        if (boxCount == MAX_BOXES) {
            // Full: widen the last box rather than drop a region (bounded work, nothing lost).
            int o = (MAX_BOXES - 1) * 4;
            boxes[o] = Math.min(boxes[o], x);
            boxes[o + 1] = Math.min(boxes[o + 1], y);
            boxes[o + 2] = Math.max(boxes[o + 2], x + w);
            boxes[o + 3] = Math.max(boxes[o + 3], y + h);
            return;
        }
        int o = boxCount * 4;
        boxes[o] = x;
        boxes[o + 1] = y;
        boxes[o + 2] = x + w;
        boxes[o + 3] = y + h;
        boxCount++;
    }

    /** Unites overlapping boxes until none overlap: a moving person's limbs become one box. */
    private void mergeOverlapping() {
        boolean merged = true;
        while (merged) {
            merged = false;
            for (int i = 0; i < boxCount && !merged; i++) {
                for (int j = i + 1; j < boxCount; j++) {
                    int a = i * 4;
                    int b = j * 4;
                    if (boxes[a] < boxes[b + 2] && boxes[b] < boxes[a + 2] && boxes[a + 1] < boxes[b + 3]
                            && boxes[b + 1] < boxes[a + 3]) {
                        boxes[a] = Math.min(boxes[a], boxes[b]);
                        boxes[a + 1] = Math.min(boxes[a + 1], boxes[b + 1]);
                        boxes[a + 2] = Math.max(boxes[a + 2], boxes[b + 2]);
                        boxes[a + 3] = Math.max(boxes[a + 3], boxes[b + 3]);
                        int last = (boxCount - 1) * 4;
                        System.arraycopy(boxes, last, boxes, b, 4);
                        boxCount--;
                        merged = true;
                        break;
                    }
                }
            }
        }
    }

    /** Moving pixels (before dilation) in [x0, x1) x [y0, y1), from the integral image in O(1). */
    private long movedIn(int x0, int y0, int x1, int y1) {
        return sum(x1, y1) - sum(x0, y1) - sum(x1, y0) + sum(x0, y0);
    }

    private long sum(int x, int y) {
        return sumCells.get(y * (workWidth + 1) + x);
    }

    private void swap() {
        Mat t = previous;
        previous = blurred;
        blurred = t;
    }

    private void allocate(int w, int h) {
        release();
        width = w;
        height = h;
        if (w > WORK_WIDTH) {
            workWidth = WORK_WIDTH;
            workHeight = Math.max(1, (int) Math.round(h * (double) WORK_WIDTH / w));
            small = new Mat(workHeight, workWidth, CV_8UC1);
        } else {
            workWidth = w;
            workHeight = h;
        }
        workSize = new Size(workWidth, workHeight);
        // About 1/64 of the width, odd: smooths compression noise without erasing small objects.
        int k = Math.max(3, (workWidth / 64) | 1);
        blurSize = new Size(k, k);
        grey = new Mat(h, w, CV_8UC1);
        blurred = new Mat(workHeight, workWidth, CV_8UC1);
        previous = new Mat(workHeight, workWidth, CV_8UC1);
        diff = new Mat(workHeight, workWidth, CV_8UC1);
        mask = new Mat(workHeight, workWidth, CV_8UC1);
        dilated = new Mat(workHeight, workWidth, CV_8UC1);
        sums = new Mat(workHeight + 1, workWidth + 1, CV_32S);
        // integral() writes into this Mat in place as long as size and type match, so its address is fixed.
        sumCells = sums.data().capacity((long) (workHeight + 1) * (workWidth + 1) * Integer.BYTES).asByteBuffer()
                .order(ByteOrder.nativeOrder()).asIntBuffer();
        allowed = null;
        if (!options.ignore().isEmpty()) {
            try (Scalar one = new Scalar(1.0); Scalar zero = new Scalar(0.0)) {
                allowed = new Mat(workHeight, workWidth, CV_8UC1, one);
                for (Region region : options.ignore()) {
                    int[] p = region.pixels(workWidth, workHeight);
                    try (Rect rect = new Rect(p[0], p[1], p[2] - p[0], p[3] - p[1]); Mat area = new Mat(allowed, rect)) {
                        area.put(zero);
                    }
                }
            }
        }
        havePrevious = false;
    }

    private void release() {
        for (Mat m : new Mat[] {grey, small, blurred, previous, diff, mask, dilated, sums, allowed}) {
            if (m != null) {
                m.close();
            }
        }
        if (workSize != null) {
            workSize.close();
            blurSize.close();
        }
        workSize = null;
        blurSize = null;
        small = null;
        allowed = null;
        sumCells = null;
    }

    /** Forgets the previous frame: the next one only becomes the reference (after a writer restart). */
    public void reset() {
        havePrevious = false;
    }

    /** Moving regions found by the last {@link #analyze}. */
    public int boxCount() {
        return boxCount;
    }

    /** Box {@code i}'s left edge as a fraction of the picture's width. */
    public double boxX(int i) {
        return boxes[i * 4] / (double) workWidth;
    }

    public double boxY(int i) {
        return boxes[i * 4 + 1] / (double) workHeight;
    }

    public double boxWidth(int i) {
        return (boxes[i * 4 + 2] - boxes[i * 4]) / (double) workWidth;
    }

    public double boxHeight(int i) {
        return (boxes[i * 4 + 3] - boxes[i * 4 + 1]) / (double) workHeight;
    }

    /** The fraction of box {@code i}'s pixels that moved. */
    public double boxScore(int i) {
        return scores[i];
    }

    /** The fraction of the whole picture that moved (ignored areas never move). */
    public double movingFraction() {
        return movingFraction;
    }

    @Override
    public void close() {
        release();
        kernel.close();
        anchor.close();
        borderValue.close();
        contours.close();
    }
}

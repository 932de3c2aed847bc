package io.virta.viewer.overlay;

/**
 * A reader's copy of one camera's boxes, oldest first: primitive arrays allocated once and refilled by
 * {@link OverlayStore#copy} on every draw. Confined to the thread that reads.
 */
public final class OverlayBoxes {
    final float[] x;
    final float[] y;
    final float[] width;
    final float[] height;
    final float[] score;
    final String[] label;
    final String[] type;
    final String[] source;
    final boolean[] empty;
    final long[] captureMicros;
    final long[] receivedNanos;
    int size;

    /** Room for {@code capacity} boxes; give it the store's {@link OverlayStore#boxesPerCamera()}. */
    public OverlayBoxes(int capacity) {
        x = new float[capacity];
        y = new float[capacity];
        width = new float[capacity];
        height = new float[capacity];
        score = new float[capacity];
        label = new String[capacity];
        type = new String[capacity];
        source = new String[capacity];
        empty = new boolean[capacity];
        captureMicros = new long[capacity];
        receivedNanos = new long[capacity];
    }

    public int size() {
        return size;
    }

    public int capacity() {
        return x.length;
    }

    /** Left edge, 0..1 of the picture's width. */
    public float x(int i) {
        return x[i];
    }

    /** Top edge, 0..1 of the picture's height. */
    public float y(int i) {
        return y[i];
    }

    public float width(int i) {
        return width[i];
    }

    public float height(int i) {
        return height[i];
    }

    public float score(int i) {
        return score[i];
    }

    /** What is in the box, e.g. "person"; may be empty. */
    public String label(int i) {
        return label[i];
    }

    /** The event's type, e.g. "motion". */
    public String type(int i) {
        return type[i];
    }

    /** The worker that reported the box's event ({@code Event.source}); may be empty. */
    public String source(int i) {
        return source[i];
    }

    /** Whether entry {@code i} stands for an event without boxes (nothing to draw). */
    public boolean empty(int i) {
        return empty[i];
    }

    /**
     * Which boxes show over a tile presenting the picture captured at {@code presentedCaptureMicros}, at
     * {@code nowNanos}: one rule for the viewer and the web page (docs/viewer.md). A box shows while
     * <ul>
     *   <li>{@code timing} shows it (from its picture, for the overlay time), and</li>
     *   <li>no later event of the same source has reached the screen: an event of the same source and
     *       camera with a later capture time that {@code timing} has started showing replaces it, even one
     *       without boxes. Boxes of other sources stay.</li>
     * </ul>
     * So a worker reporting 4 times a second shows its latest boxes only, and the overlay time clears only
     * boxes that nothing replaced. Sets {@code into[i]} for each box and returns how many show; allocates
     * nothing (a few dozen boxes: the pairwise check is cheaper than any index).
     */
    public int markVisible(OverlayTiming timing, long presentedCaptureMicros, long nowNanos, boolean[] into) {
        int shown = 0;
        for (int i = 0; i < size; i++) {
            boolean visible = !empty[i]
                    && timing.visible(captureMicros[i], receivedNanos[i], presentedCaptureMicros, nowNanos)
                    && !replaced(i, timing, presentedCaptureMicros);
            into[i] = visible;
            shown += visible ? 1 : 0;
        }
        return shown;
    }

    private boolean replaced(int i, OverlayTiming timing, long presentedCaptureMicros) {
        for (int j = 0; j < size; j++) {
            if (captureMicros[j] > captureMicros[i] && timing.started(captureMicros[j], presentedCaptureMicros)
                    && java.util.Objects.equals(source[j], source[i])) {
                return true;
            }
        }
        return false;
    }

    /** The capture time of the picture the box was found in, µs since the Unix epoch. */
    public long captureMicros(int i) {
        return captureMicros[i];
    }

    /** When the viewer received the box, {@link System#nanoTime()}. */
    public long receivedNanos(int i) {
        return receivedNanos[i];
    }
}

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

    /** The capture time of the picture the box was found in, µs since the Unix epoch. */
    public long captureMicros(int i) {
        return captureMicros[i];
    }

    /** When the viewer received the box, {@link System#nanoTime()}. */
    public long receivedNanos(int i) {
        return receivedNanos[i];
    }
}

package io.virta.worker;

/**
 * What an add-on keeps over a stream's ring cells, such as the OpenCV Mat headers of module
 * {@code worker-opencv} ({@code io.virta.worker.opencv.FrameMats}): made on the stream's first frame,
 * kept with its {@link WorkerFrame} ({@link WorkerFrame#views}) and reused for every frame after, so
 * the light SDK carries no native library and the add-on needs no hook of its own into the stream.
 *
 * <p>Threads: only the thread that reads the stream calls it. Lifetime: the stream calls
 * {@link #invalidate()} whenever the shared memory under the views goes away (a new writer maps a new
 * ring, the camera's channel moved, the stream closes); after that no pointer taken from the old memory
 * may be used again. The views are for reading: the memory is every other reader's picture too.
 *
 * <pre>{@code
 * final class Checksums implements CellViews {
 *     public void invalidate() { ... forget every address ... }
 * }
 * Checksums sums = frame.views(Checksums.class, f -> new Checksums());
 * }</pre>
 */
public interface CellViews {
    /** The memory under the views is going away: forget every pointer into it, release what holds one. */
    void invalidate();
}

package io.virta.rtsp.fanout;

/**
 * One unit's data as handed to an event loop: a pre-allocated slot that holds references to buffers,
 * never copies of them. A mount fills one of its own for each unit (its references), and
 * {@link LoopFanout} makes every slot it queues for a loop {@link #share} it.
 *
 * @param <D> the concrete slot type, so that {@link #share} gets its own kind
 */
public abstract class Delivery<D extends Delivery<D>> {
    /** Clients that lost a unit wait for a keyframe; the fan-out needs to know which units are. */
    public abstract boolean keyframe();

    /**
     * Takes this slot's own reference to each of {@code source}'s buffers ({@code retain()}, not a
     * copy) and its other fields. Called on the publishing thread; must not allocate once the slot
     * has seen a unit as big before.
     */
    protected abstract void share(D source);

    /** Gives back the references {@link #share} took, and forgets them. */
    protected abstract void release();
}

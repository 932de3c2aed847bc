package io.virta.producer.graph;

import java.util.function.ToIntFunction;

/** Passes only the frames of one slot (stream number), like libValkka's SlotFrameFilter. */
public final class SlotFilter<T> implements FrameSink<T> {
    private final int slot;
    private final ToIntFunction<T> slotOf;
    private final FrameSink<T> next;

    public SlotFilter(int slot, ToIntFunction<T> slotOf, FrameSink<T> next) {
        this.slot = slot;
        this.slotOf = slotOf;
        this.next = next;
    }

    @Override
    public void accept(T frame) {
        if (slotOf.applyAsInt(frame) == slot) {
            next.accept(frame);
        }
    }
}

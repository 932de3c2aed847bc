package io.virta.producer.graph;

/** Passes frames while open; counts the ones it holds back. */
public final class GateFilter<T> implements FrameSink<T> {
    private final FrameSink<T> next;
    private volatile boolean open;
    private long blocked;

    public GateFilter(boolean open, FrameSink<T> next) {
        this.open = open;
        this.next = next;
    }

    public void open(boolean open) {
        this.open = open;
    }

    public boolean isOpen() {
        return open;
    }

    public long blocked() {
        return blocked;
    }

    @Override
    public void accept(T frame) {
        if (open) {
            next.accept(frame);
        } else {
            blocked++;
        }
    }
}

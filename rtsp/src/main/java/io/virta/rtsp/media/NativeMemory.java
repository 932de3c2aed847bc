package io.virta.rtsp.media;

import java.lang.foreign.MemorySegment;

/** The whole native address space as one segment, so that code can read or write at a raw address without making a segment each time. */
public final class NativeMemory {
    /** A native address is an offset into it. */
    @SuppressWarnings("restricted")
    public static final MemorySegment ALL = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    private NativeMemory() {
    }
}

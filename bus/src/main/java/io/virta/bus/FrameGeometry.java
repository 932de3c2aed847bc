package io.virta.bus;

import io.virta.bus.layout.CellDescriptor;

import java.lang.foreign.MemorySegment;

import static io.virta.bus.ChannelMemory.U32;

/** Default strides and plane offsets of tightly packed frames of a channel's nominal size. */
final class FrameGeometry {
    private FrameGeometry() {
    }

    static void writeDefaultPlanes(ChannelSpec spec, MemorySegment memory, long metadata) {
        int w = spec.width();
        int h = spec.height();
        long strides = metadata + CellDescriptor.STRIDES_OFFSET;
        long planes = metadata + CellDescriptor.PLANE_OFFSETS_OFFSET;
        switch (spec.format()) {
            case RGB24, BGR24 -> memory.set(U32, strides, w * 3);
            case GRAY8 -> memory.set(U32, strides, w);
            case I420 -> {
                memory.set(U32, strides, w);
                memory.set(U32, strides + 4, w / 2);
                memory.set(U32, strides + 8, w / 2);
                memory.set(U32, planes, w * h);
                memory.set(U32, planes + 4, w * h + (w / 2) * (h / 2));
            }
            case NV12 -> {
                memory.set(U32, strides, w);
                memory.set(U32, strides + 4, w);
                memory.set(U32, planes, w * h);
            }
            default -> {
                // Encoded and opaque payloads have no planes.
            }
        }
    }

    /** Bytes of one tightly packed frame, or 0 when the format has no fixed frame size. */
    static long frameBytes(ChannelSpec spec) {
        long pixels = (long) spec.width() * spec.height();
        return switch (spec.format()) {
            case RGB24, BGR24 -> pixels * 3;
            case GRAY8 -> pixels;
            case I420, NV12 -> pixels * 3 / 2;
            default -> 0;
        };
    }
}

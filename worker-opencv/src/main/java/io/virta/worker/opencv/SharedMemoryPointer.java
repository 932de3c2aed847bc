package io.virta.worker.opencv;

import org.bytedeco.javacpp.BytePointer;

/**
 * A JavaCPP pointer to memory someone else owns (a bus cell's payload): no allocation, no copy and no
 * deallocator, so closing a Mat built over it never frees the shared memory.
 */
final class SharedMemoryPointer extends BytePointer {
    SharedMemoryPointer(long address, long bytes) {
        this.address = address;
        this.position = 0;
        this.limit = bytes;
        this.capacity = bytes;
    }
}

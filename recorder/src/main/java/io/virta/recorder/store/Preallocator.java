package io.virta.recorder.store;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reserves a segment file's blocks before any frame is written (docs/recording-format.md section 2.3),
 * so that 64 cameras appending at once get long extents instead of interleaved blocks, and so that a
 * full disk is found when a segment starts rather than in the middle of a frame.
 *
 * <p>{@code RandomAccessFile.setLength} only moves the file's end and reserves nothing on ext4 or xfs;
 * this class calls {@code posix_fallocate(3)} through the FFM API, which reserves the blocks as
 * unwritten extents that read as zero (glibc itself writes zeros where the file system lacks
 * {@code fallocate(2)}). Where native access is not available, it writes zeros through a
 * {@link FileChannel}: slower, but the blocks are just as allocated.
 *
 * <p>Stateless and thread-safe; allocates per call (once per segment, never per frame).
 *
 * <pre>{@code
 * Preallocator.preallocate(file, 64L << 20);   // the file exists afterwards, 64 MiB of zeros
 * }</pre>
 */
public final class Preallocator {
    private static final int O_RDWR = 2;
    private static final int ENOSPC = 28;
    private static final int ZERO_CHUNK = 1 << 20;

    /** posix_fallocate and open/close from libc, or null where native access is refused. */
    private static final MethodHandle[] NATIVE = lookUp();

    private Preallocator() {
    }

    /** True when preallocation goes through posix_fallocate; false when it falls back to writing zeros. */
    public static boolean isNative() {
        return NATIVE != null;
    }

    /**
     * Creates {@code file} if needed and reserves {@code length} bytes of zeros in it.
     *
     * @throws IOException naming the file, with ENOSPC said as "disk full"
     */
    public static void preallocate(Path file, long length) throws IOException {
        try (FileChannel created = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            if (NATIVE == null) {
                writeZeros(created, length);
                return;
            }
        }
        int error = fallocate(file, length);
        if (error == ENOSPC) {
            throw new IOException("disk full: cannot reserve " + length + " bytes for " + file
                    + "; free space on that disk or lower the store's budget");
        }
        if (error != 0) {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                writeZeros(channel, length);
            }
        }
    }

    private static int fallocate(Path file, long length) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            int fd = (int) NATIVE[1].invokeExact(arena.allocateFrom(file.toString()), O_RDWR, 0);
            if (fd < 0) {
                throw new IOException("cannot open " + file + " to reserve its space; check the store's permissions");
            }
            try {
                return (int) NATIVE[0].invokeExact(fd, 0L, length);
            } finally {
                int ignored = (int) NATIVE[2].invokeExact(fd);
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    private static void writeZeros(FileChannel channel, long length) throws IOException {
        ByteBuffer zeros = ByteBuffer.allocateDirect(ZERO_CHUNK);
        long position = channel.size();
        while (position < length) {
            zeros.clear().limit((int) Math.min(ZERO_CHUNK, length - position));
            position += channel.write(zeros, position);
        }
    }

    private static MethodHandle[] lookUp() {
        try {
            Linker linker = Linker.nativeLinker();
            SymbolLookup libc = linker.defaultLookup();
            MethodHandle fallocate = linker.downcallHandle(libc.findOrThrow("posix_fallocate"),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG,
                            ValueLayout.JAVA_LONG));
            MethodHandle open = linker.downcallHandle(libc.findOrThrow("open"),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT,
                            ValueLayout.JAVA_INT), Linker.Option.firstVariadicArg(2));
            MethodHandle close = linker.downcallHandle(libc.findOrThrow("close"),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
            return new MethodHandle[] {fallocate, open, close};
        } catch (RuntimeException | LinkageError refused) {
            return null;
        }
    }
}

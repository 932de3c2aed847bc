package io.virta.bus.posix;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * A file in /dev/shm, mapped whole. Opening {@code /dev/shm/NAME} is exactly what glibc's
 * {@code shm_open} does, and FileChannel maps it into a {@link MemorySegment} with no 2 GB limit.
 */
public final class SharedMemoryObject implements AutoCloseable {
    /**
     * POSIX record locks belong to the process, and closing any descriptor of a file drops all of the
     * process's locks on it; the JVM also refuses overlapping locks from two channels. One JVM-wide lock
     * around locking and closing keeps threads of one process from tripping over each other.
     */
    private static final ReentrantLock PROCESS_LOCK = new ReentrantLock();

    private final Path path;
    private final FileChannel channel;
    private final Arena arena;
    private final MemorySegment segment;
    private boolean closed;

    private SharedMemoryObject(Path path, FileChannel channel, long size) throws IOException {
        this.path = path;
        this.channel = channel;
        this.arena = Arena.ofShared();
        try {
            this.segment = channel.map(FileChannel.MapMode.READ_WRITE, 0, size, arena);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /**
     * Creates a new zero-filled object of {@code size} bytes under a unique temporary name in
     * {@code dir}, owner-only or shared with {@code group}. {@link #publishAs} gives it its real name.
     */
    public static SharedMemoryObject createTemporary(Path dir, String baseName, long size, String group)
            throws IOException {
        long usable = Files.getFileStore(dir).getUsableSpace();
        if (size > usable) {
            throw new IOException("needs " + size + " bytes but " + dir + " has only " + usable
                    + " free: use fewer or smaller cells, or enlarge " + dir);
        }
        Path temp = dir.resolve(".tmp." + baseName + "." + Processes.selfPid() + "."
                + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        Files.createFile(temp);
        try {
            if (group != null) {
                Files.setAttribute(temp, "posix:group", Permissions.lookupGroup(group));
                Files.setPosixFilePermissions(temp, Permissions.GROUP_READ_WRITE);
            } else {
                Files.setPosixFilePermissions(temp, Permissions.OWNER_READ_WRITE);
            }
            try (RandomAccessFile file = new RandomAccessFile(temp.toFile(), "rw")) {
                file.setLength(size);
            }
            FileChannel channel = FileChannel.open(temp, StandardOpenOption.READ, StandardOpenOption.WRITE);
            try {
                return new SharedMemoryObject(temp, channel, size);
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
    }

    /** Maps an existing object. Throws {@link java.nio.file.NoSuchFileException} if it is missing. */
    public static SharedMemoryObject openExisting(Path path) throws IOException {
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            return new SharedMemoryObject(path, channel, channel.size());
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Atomically gives this object the name {@code target}, replacing whatever had it. */
    public void publishAs(Path target) throws IOException {
        Files.move(path, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    public Path path() {
        return path;
    }

    public MemorySegment segment() {
        return segment;
    }

    public long size() {
        return segment.byteSize();
    }

    /** Runs {@code action} holding an exclusive record lock on bytes [offset, offset + length). */
    public <T> T withRecordLock(long offset, long length, Supplier<T> action) {
        PROCESS_LOCK.lock();
        try (FileLock ignored = channel.lock(offset, length, false)) {
            return action.get();
        } catch (IOException e) {
            throw new IllegalStateException("cannot lock " + path + ": " + e.getMessage(), e);
        } finally {
            PROCESS_LOCK.unlock();
        }
    }

    @Override
    public void close() {
        PROCESS_LOCK.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            arena.close();
            channel.close();
        } catch (IOException ignored) {
            // Closing a mapping of tmpfs cannot lose data; nothing to report.
        } finally {
            PROCESS_LOCK.unlock();
        }
    }
}

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
import java.nio.file.attribute.BasicFileAttributes;
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
    /** The object's identity (device and inode), to tell it from another object under the same name. */
    private final Object fileKey;
    private final FileChannel channel;
    private final Arena arena;
    private final MemorySegment segment;
    private boolean closed;

    private SharedMemoryObject(Path path, Object fileKey, FileChannel channel, long size) throws IOException {
        this.path = path;
        this.fileKey = fileKey;
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
     * Creates a new zero-filled object of {@code size} bytes under the unique temporary name
     * {@code dir/baseName.PID.RANDOM}, owner-only or shared with {@code group}. {@link #publishAs} gives it its real name.
     */
    public static SharedMemoryObject createTemporary(Path dir, String baseName, long size, String group)
            throws IOException {
        long usable = Files.getFileStore(dir).getUsableSpace();
        if (size > usable) {
            throw new IOException("needs " + size + " bytes but " + dir + " has only " + usable
                    + " free: use fewer or smaller cells, or enlarge " + dir);
        }
        Path temp = dir.resolve(baseName + "." + Processes.selfPid() + "."
                + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        Files.createFile(temp);
        try {
            // Nobody else uses the temporary name, so its identity is this object's.
            Object key = fileKey(temp);
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
                return new SharedMemoryObject(temp, key, channel, size);
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
    }

    /**
     * Maps the object now named {@code path}. Throws {@link java.nio.file.NoSuchFileException} if it is
     * missing. Its identity is the one the name had both before and after the open, so that an object
     * renamed over the name meanwhile is never mistaken for the one that was opened.
     */
    public static SharedMemoryObject openExisting(Path path) throws IOException {
        while (true) {
            Object before = fileKey(path);
            FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
            try {
                if (before.equals(fileKey(path))) {
                    return new SharedMemoryObject(path, before, channel, channel.size());
                }
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
            channel.close();
        }
    }

    /** Atomically gives this object the name {@code target}, replacing whatever had it. */
    public void publishAs(Path target) throws IOException {
        Files.move(path, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * Gives this object the name {@code target} only if nothing has that name: the hard link fails
     * when the name exists, so of two writers creating the same new channel exactly one succeeds.
     * Returns false, leaving the temporary name in place, if the name was taken.
     */
    public boolean publishIfAbsent(Path target) throws IOException {
        try {
            Files.createLink(target, path);
        } catch (java.nio.file.FileAlreadyExistsException e) {
            return false;
        }
        Files.deleteIfExists(path);
        return true;
    }

    /** True when {@code name} still refers to this object (and not to one created after it). */
    public boolean isNamedBy(Path name) {
        try {
            return fileKey.equals(fileKey(name));
        } catch (IOException e) {
            return false;
        }
    }

    /** Device and inode of the object: equal keys mean the same object. */
    public Object fileKey() {
        return fileKey;
    }

    /** Removes the temporary name of an object that was never published. */
    public void deleteTemporary() {
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // Left for virta bus clean, which removes temporaries of dead processes.
        }
    }

    private static Object fileKey(Path path) throws IOException {
        return Files.readAttributes(path, BasicFileAttributes.class).fileKey();
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

    /**
     * Like {@link #withRecordLock}, but waits at most {@code patienceNanos} for a lock another process
     * holds, and then returns {@code busy.get()} without running {@code action}: a process that holds
     * the lock and hangs must not hang this one.
     */
    public <T> T withRecordLockWithin(long offset, long length, long patienceNanos, Supplier<T> action,
                                      Supplier<T> busy) {
        long giveUp = System.nanoTime() + patienceNanos;
        while (true) {
            PROCESS_LOCK.lock();
            try {
                FileLock lock = channel.tryLock(offset, length, false);
                if (lock != null) {
                    try (lock) {
                        return action.get();
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException("cannot lock " + path + ": " + e.getMessage(), e);
            } finally {
                PROCESS_LOCK.unlock();
            }
            if (System.nanoTime() - giveUp >= 0) {
                return busy.get();
            }
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
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

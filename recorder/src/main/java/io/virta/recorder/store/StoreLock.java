package io.virta.recorder.store;

import io.virta.recorder.format.StoreLayout;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * Makes one recorder the store's only writer (docs/recording-format.md section 2.1): a POSIX record
 * lock ({@code fcntl}) on {@code STORE/virta-store.lock}, which names the holder's pid. The kernel
 * drops the lock when the holder dies, however it dies, so no stale lock is ever left to clean.
 *
 * <p>Thread-safe to close; acquire it once per store. The lock file itself is never deleted: a
 * recorder that deleted it could let a third one lock a new file while the second still waits on
 * the old one.
 *
 * <pre>{@code
 * try (StoreLock lock = StoreLock.acquire(store)) {
 *     ... write the store ...
 * }   // StoreLockedException: "store /mnt/a is in use by the recorder with pid 4242 ..."
 * }</pre>
 */
public final class StoreLock implements AutoCloseable {
    private final Path store;
    private final FileChannel channel;
    private final FileLock lock;

    private StoreLock(Path store, FileChannel channel, FileLock lock) {
        this.store = store;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the store's lock, or fails at once.
     *
     * @throws StoreLockedException naming the store and the holder's pid when another recorder holds it
     * @throws IOException when the lock file cannot be created (permissions, missing directory)
     */
    public static StoreLock acquire(Path store) throws IOException {
        Path file = StoreLayout.lockFile(store);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        try {
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException sameProcess) {
                lock = null;
            }
            if (lock == null) {
                long holder = holderPid(channel);
                channel.close();
                throw new StoreLockedException("store " + store + " is in use by the recorder with pid "
                        + (holder < 0 ? "(unknown)" : holder) + (holder == ProcessHandle.current().pid()
                        ? " (this process)" : "") + "; two recorders on one store would overwrite each other's"
                        + " index. Stop that recorder, or give this one another store directory.", holder);
            }
            byte[] text = ("pid=" + ProcessHandle.current().pid() + "\nsince=" + Instant.now() + "\n")
                    .getBytes(StandardCharsets.US_ASCII);
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(text), 0);
            channel.force(false);
            return new StoreLock(store, channel, lock);
        } catch (IOException | RuntimeException e) {
            if (channel.isOpen()) {
                channel.close();
            }
            throw e;
        }
    }

    private static long holderPid(FileChannel channel) {
        try {
            ByteBuffer text = ByteBuffer.allocate(256);
            channel.read(text, 0);
            for (String line : new String(text.array(), 0, text.position(), StandardCharsets.US_ASCII).split("\n")) {
                if (line.startsWith("pid=")) {
                    return Long.parseLong(line.substring(4).trim());
                }
            }
        } catch (IOException | NumberFormatException unreadable) {
            // the holder is writing it right now, or it is not ours: say "unknown"
        }
        return -1;
    }

    public Path store() {
        return store;
    }

    @Override
    public synchronized void close() throws IOException {
        if (channel.isOpen()) {
            lock.release();
            channel.close();
        }
    }
}

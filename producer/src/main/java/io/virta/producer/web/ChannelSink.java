package io.virta.producer.web;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultHttpContent;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.WritableByteChannel;
import java.time.Duration;

/**
 * A blocking {@link WritableByteChannel} onto a Netty connection, for {@link io.virta.recorder.export.ExportFile#transferTo}
 * on a download's own (virtual) thread: each write becomes one HTTP body chunk, and a write waits while
 * the connection is not writable (its unsent bytes above the web view's high water mark), so a slow
 * browser slows the export's reading instead of making the server buffer it. Memory per download: the
 * connection's water mark plus one chunk (at most 256 KiB, the export's own buffer).
 *
 * <p>A client that reads nothing for {@link #STALL} is dropped: the write throws and the connection is
 * closed. <b>Threads:</b> one writer thread; {@link #wake} from the event loop when writability changes.
 */
final class ChannelSink implements WritableByteChannel {
    static final Duration STALL = Duration.ofSeconds(60);
    /** Waits are also bounded by this, in case a wake-up comes between the check and the wait. */
    private static final long POLL_MILLIS = 200;

    private final Channel channel;
    private final Object writable = new Object();
    private long written;

    ChannelSink(Channel channel) {
        this.channel = channel;
    }

    @Override
    public int write(ByteBuffer source) throws IOException {
        awaitWritable();
        int count = source.remaining();
        ByteBuf chunk = channel.alloc().directBuffer(count);
        chunk.writeBytes(source);
        channel.writeAndFlush(new DefaultHttpContent(chunk));
        written += count;
        return count;
    }

    /** Bytes handed to the connection so far. */
    long written() {
        return written;
    }

    /** The connection's writability changed, or it closed. */
    void wake() {
        synchronized (writable) {
            writable.notifyAll();
        }
    }

    private void awaitWritable() throws IOException {
        long deadline = System.nanoTime() + STALL.toNanos();
        synchronized (writable) {
            while (!channel.isWritable()) {
                if (!channel.isActive()) {
                    throw new ClosedChannelException();
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IOException("the browser read nothing for " + STALL.toSeconds() + " s");
                }
                try {
                    writable.wait(Math.min(POLL_MILLIS, Math.max(1, left / 1_000_000)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ClosedChannelException();
                }
            }
        }
        if (!channel.isActive()) {
            throw new ClosedChannelException();
        }
    }

    @Override
    public boolean isOpen() {
        return channel.isActive();
    }

    @Override
    public void close() {
        // The connection belongs to the web view: closing the sink leaves it open for the next request.
    }
}

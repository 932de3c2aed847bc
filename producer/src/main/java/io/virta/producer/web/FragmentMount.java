package io.virta.producer.web;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.channel.ChannelFutureListener;
import io.virta.rtsp.fanout.LoopFanout;
import io.virta.producer.graph.FrameSink;
import io.virta.rtsp.media.AccessUnit;
import io.virta.rtsp.media.NativeMemory;
import io.virta.producer.mux.fmp4.Fmp4Muxer;

import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Logger;

/**
 * One camera for the browsers: its access units muxed once into fMP4 (one {@link Fmp4Muxer} per
 * camera, however many browsers watch), each fragment written once into a pooled buffer behind a
 * {@link FragmentHeader}, and handed once to each event loop that serves this camera's clients
 * ({@link LoopFanout}: a bounded ring per loop, nothing allocated per fragment). The ingest thread
 * never waits on a browser: a slow client loses fragments until the next keyframe ({@link VideoClient}),
 * and an event loop that stalls altogether loses them for all its clients once its ring is full. Both
 * count in {@link #fragmentsDropped()}, once per browser that lost the fragment.
 */
final class FragmentMount implements FrameSink<AccessUnit> {
    private static final Logger LOG = Logger.getLogger(FragmentMount.class.getName());

    private final String camera;
    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private final Fmp4Muxer muxer = new Fmp4Muxer();
    private volatile BrowserInitSegment init;
    /** Browsers, grouped by the event loop that writes to them. */
    private final LoopFanout<VideoClient, FragmentDelivery> clients;
    /** The fragment being published: the ingest thread's reference, released once handed to every loop. */
    private final FragmentDelivery staged = new FragmentDelivery();
    private final LongAdder sent = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private volatile long refused;
    private String lastRefusalLogged;
    private boolean closed;

    FragmentMount(String camera) {
        this.camera = camera;
        this.clients = new LoopFanout<>("web view " + camera, LoopFanout.DEFAULT_CAPACITY, FragmentDelivery::new,
                VideoClient::deliver);
    }

    String camera() {
        return camera;
    }

    /** The init segment browsers get first; null until the camera sent its parameter sets. */
    BrowserInitSegment init() {
        return init;
    }

    /** Fragments handed to browsers' sockets, summed over browsers. */
    long fragmentsSent() {
        return sent.sum();
    }

    /**
     * Fragments browsers lost because they could not keep up (each then waited for a keyframe),
     * summed over browsers: their own socket was full, or their event loop was stalled.
     */
    long fragmentsDropped() {
        return dropped.sum() + clients.clientUnitsDropped();
    }

    /** Fragments a stalled event loop lost for all its browsers, once per loop (also in {@link #fragmentsDropped()}). */
    long fragmentsDroppedByStalledLoops() {
        return clients.unitsDropped();
    }

    /** Units the muxer could not take (no parameter sets yet, no picture data). */
    long unitsRefused() {
        return refused;
    }

    int clients() {
        return clients.clients();
    }

    /** Called by the camera's ingest thread for every unit. */
    @Override
    public void accept(AccessUnit unit) {
        if (!muxer.accept(unit)) {
            refused++;
            String reason = muxer.lastRefusal();
            if (!reason.equals(lastRefusalLogged)) {
                lastRefusalLogged = reason;
                LOG.fine(() -> camera + ": unit not muxed for the web view: " + reason);
            }
            return;
        }
        if (muxer.takeParameterSetsChanged()) {
            renewInit();
        }
        BrowserInitSegment current = init;
        if (current == null || clients.clients() == 0) {
            return;
        }
        boolean keyframe = muxer.isKeyframe();
        int size = (int) muxer.fragmentSize();
        ByteBuf fragment = alloc.directBuffer(FragmentHeader.LENGTH + size);
        FragmentHeader.writeFragment(fragment, keyframe, unit.captureTimeMicros() / 1000.0,
                muxer.decodeTime() / (double) Fmp4Muxer.TIMESCALE);
        // The muxer writes straight into the buffer that goes out: the NAL units are copied once. Pooled
        // direct buffers have an address, written through one segment over all memory (no view per fragment).
        long written = fragment.hasMemoryAddress()
                ? muxer.writeFragment(NativeMemory.ALL, fragment.memoryAddress() + fragment.writerIndex())
                : muxer.writeFragment(MemorySegment.ofBuffer(fragment.nioBuffer(fragment.writerIndex(), size)), 0);
        fragment.writerIndex(fragment.writerIndex() + (int) written);
        staged.set(fragment, keyframe, current);
        try {
            clients.publish(staged);
        } finally {
            staged.release();
        }
    }

    /** New parameter sets: a new init segment (rare, so it may allocate); a new codec ends every client. */
    private void renewInit() {
        byte[] bytes = new byte[muxer.initSize()];
        muxer.writeInit(MemorySegment.ofArray(bytes), 0);
        String codecs = Objects.requireNonNullElse(CodecString.of(bytes), "");
        ByteBuf message = Unpooled.buffer(FragmentHeader.LENGTH + codecs.length() + bytes.length);
        FragmentHeader.writeInit(message, codecs);
        message.writeBytes(bytes);
        BrowserInitSegment before = init;
        long generation = before == null ? 1 : before.generation() + 1;
        init = new BrowserInitSegment(Unpooled.unreleasableBuffer(message), generation, codecs, muxer.width(),
                muxer.height());
        LOG.fine(() -> camera + ": web view init segment " + codecs + " " + muxer.width() + "x" + muxer.height());
        if (before != null && !Objects.equals(before.codecs(), codecs)) {
            // A browser's SourceBuffer was made for one codec: let the page reconnect and start afresh.
            disconnectAll("the camera's codec changed to " + codecs);
        }
    }

    /** Adds a browser's socket; it receives from the next keyframe on. Returns false once the mount is closed. */
    synchronized boolean add(VideoClient client) {
        if (closed) {
            return false;
        }
        clients.add(client.channel.eventLoop(), client);
        return true;
    }

    void remove(VideoClient client) {
        clients.remove(client);
    }

    /** The camera stopped: every browser's socket is closed (the page reconnects by itself). */
    synchronized void close() {
        closed = true;
        disconnectAll("the camera stopped");
    }

    private void disconnectAll(String reason) {
        clients.removeAll(client -> client.channel.writeAndFlush(
                new CloseWebSocketFrame(WebSocketCloseStatus.ENDPOINT_UNAVAILABLE, reason))
                .addListener(ChannelFutureListener.CLOSE));
    }

    void countSent() {
        sent.increment();
    }

    void countDropped() {
        dropped.increment();
    }
}

package io.virta.producer.web;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.channel.ChannelFutureListener;
import io.virta.producer.graph.FrameSink;
import io.virta.producer.media.AccessUnit;
import io.virta.producer.mux.fmp4.Fmp4Muxer;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Logger;

/**
 * One camera for the browsers: its access units muxed once into fMP4 (one {@link Fmp4Muxer} per
 * camera, however many browsers watch), each fragment written once into a pooled buffer behind a
 * {@link FragmentHeader}, and handed once to each event loop that serves this camera's clients. The
 * ingest thread never waits on a browser: a slow client loses fragments until the next keyframe
 * ({@link VideoClient}), counted in {@link #fragmentsDropped()}.
 */
final class FragmentMount implements FrameSink<AccessUnit> {
    private static final Logger LOG = Logger.getLogger(FragmentMount.class.getName());
    private static final ClientLoop[] NO_LOOPS = {};

    private final String camera;
    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private final Fmp4Muxer muxer = new Fmp4Muxer();
    private volatile InitSegment init;
    private volatile ClientLoop[] loops = NO_LOOPS;
    private final LongAdder sent = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private volatile long refused;
    private String lastRefusalLogged;
    private boolean closed;

    FragmentMount(String camera) {
        this.camera = camera;
    }

    String camera() {
        return camera;
    }

    /** The init segment browsers get first; null until the camera sent its parameter sets. */
    InitSegment init() {
        return init;
    }

    /** Fragments handed to browsers' sockets, summed over browsers. */
    long fragmentsSent() {
        return sent.sum();
    }

    /** Fragments browsers lost because they could not keep up (each then waited for a keyframe). */
    long fragmentsDropped() {
        return dropped.sum();
    }

    /** Units the muxer could not take (no parameter sets yet, no picture data). */
    long unitsRefused() {
        return refused;
    }

    int clients() {
        int n = 0;
        for (ClientLoop loop : loops) {
            n += loop.clients.size();
        }
        return n;
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
        InitSegment current = init;
        ClientLoop[] loops = this.loops;
        if (current == null || loops.length == 0) {
            return;
        }
        boolean keyframe = muxer.isKeyframe();
        int size = (int) muxer.fragmentSize();
        ByteBuf fragment = alloc.directBuffer(FragmentHeader.LENGTH + size);
        FragmentHeader.writeFragment(fragment, keyframe, unit.captureTimeMicros() / 1000.0,
                muxer.decodeTime() / (double) Fmp4Muxer.TIMESCALE);
        // The muxer writes straight into the buffer that goes out: the NAL units are copied once.
        MemorySegment out = MemorySegment.ofBuffer(fragment.nioBuffer(fragment.writerIndex(), size));
        fragment.writerIndex(fragment.writerIndex() + (int) muxer.writeFragment(out, 0));
        try {
            for (ClientLoop loop : loops) {
                if (loop.loop.inEventLoop()) {
                    loop.deliver(fragment, keyframe, current);
                } else {
                    ByteBuf shared = fragment.retainedDuplicate();
                    loop.loop.execute(() -> loop.deliverAndRelease(shared, keyframe, current));
                }
            }
        } finally {
            fragment.release();
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
        InitSegment before = init;
        long generation = before == null ? 1 : before.generation() + 1;
        init = new InitSegment(Unpooled.unreleasableBuffer(message), generation, codecs, muxer.width(), muxer.height());
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
        EventLoop eventLoop = client.channel.eventLoop();
        for (ClientLoop loop : loops) {
            if (loop.loop == eventLoop) {
                loop.clients.add(client);
                return true;
            }
        }
        ClientLoop added = new ClientLoop(eventLoop);
        added.clients.add(client);
        ClientLoop[] more = Arrays.copyOf(loops, loops.length + 1);
        more[loops.length] = added;
        loops = more;
        return true;
    }

    synchronized void remove(VideoClient client) {
        for (ClientLoop loop : loops) {
            loop.clients.remove(client);
        }
    }

    /** The camera stopped: every browser's socket is closed (the page reconnects by itself). */
    synchronized void close() {
        closed = true;
        disconnectAll("the camera stopped");
        loops = NO_LOOPS;
    }

    private synchronized void disconnectAll(String reason) {
        for (ClientLoop loop : loops) {
            for (VideoClient client : loop.clients) {
                client.channel.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.ENDPOINT_UNAVAILABLE, reason))
                        .addListener(ChannelFutureListener.CLOSE);
            }
            loop.clients.clear();
        }
    }

    void countSent() {
        sent.increment();
    }

    void countDropped() {
        dropped.increment();
    }

    /** The clients one event loop writes to; their deliveries run on that loop. */
    private static final class ClientLoop {
        final EventLoop loop;
        final List<VideoClient> clients = new CopyOnWriteArrayList<>();

        ClientLoop(EventLoop loop) {
            this.loop = loop;
        }

        void deliver(ByteBuf fragment, boolean keyframe, InitSegment init) {
            for (VideoClient client : clients) {
                client.deliver(fragment, keyframe, init);
            }
        }

        void deliverAndRelease(ByteBuf fragment, boolean keyframe, InitSegment init) {
            try {
                deliver(fragment, keyframe, init);
            } finally {
                fragment.release();
            }
        }
    }
}

package io.virta.rtsp.fanout;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Closes one accepted connection that stays silent too long, where "silent" is for its protocol to
 * say: the protocol calls {@link #renew()} when the client shows it is alive (a whole request, a
 * keep-alive, RTCP), and {@link #allowSilence} / {@link #disarm()} when the connection changes
 * phase (an RTSP session starts playing, an HTTP connection becomes a WebSocket the browser never
 * writes to). Until told otherwise it allows its listener's request timeout.
 *
 * <p>Bytes alone do not renew it: a client that dribbles a request a byte at a time is closed like
 * one that sends nothing.
 *
 * <p><b>Threads.</b> Every method runs on the connection's event loop (where its handlers run, and
 * where a UDP session's sockets are registered). {@link #renew()} reads the clock and nothing more,
 * so it may be called per packet; one timer per connection is pending at a time.
 */
public final class IdleGuard extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = Logger.getLogger(IdleGuard.class.getName());

    private final ClientListener listener;
    private ChannelHandlerContext context;
    /** 0: disarmed. */
    private long allowedNanos;
    private long renewedAt = System.nanoTime();
    private ScheduledFuture<?> timer;

    IdleGuard(ClientListener listener) {
        this.listener = listener;
        this.allowedNanos = listener.limits().requestTimeout().toNanos();
    }

    /** The client is alive: its allowed silence starts again from now. */
    public void renew() {
        renewedAt = System.nanoTime();
    }

    /** From now on the client may stay silent for {@code silence} between renewals (it is renewed now). */
    public void allowSilence(Duration silence) {
        allowedNanos = silence.toNanos();
        renew();
        schedule(allowedNanos);
    }

    /** Back to the listener's request timeout: the client is expected to send its next request. */
    public void expectRequest() {
        allowSilence(listener.limits().requestTimeout());
    }

    /** The client need never send anything again (the server writes; TCP notices a peer that is gone). */
    public void disarm() {
        allowedNanos = 0;
        cancel();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        context = ctx;
        schedule(allowedNanos);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cancel();
        super.channelInactive(ctx);
    }

    private void schedule(long delayNanos) {
        cancel();
        if (allowedNanos > 0 && context != null) {
            timer = context.executor().schedule(this::check, delayNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void check() {
        timer = null;
        if (allowedNanos == 0 || !context.channel().isActive()) {
            return;
        }
        long silent = System.nanoTime() - renewedAt;
        if (silent < allowedNanos) {
            schedule(allowedNanos - silent);
            return;
        }
        listener.countClosedIdle();
        LOG.log(Level.FINE, () -> listener.name() + ": closed " + context.channel().remoteAddress() + ", silent for "
                + Duration.ofNanos(silent).toMillis() + " ms");
        context.close();
    }
}

package io.virta.producer.web;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.virta.hub.EventHub;
import io.virta.hub.delivery.EventSelector;
import io.virta.hub.delivery.Outbound;
import io.virta.hub.delivery.Subscription;
import io.virta.protos.events.v1.SubscribeResponse;

import java.util.Set;

/**
 * {@code /ws/events}: a live subscription to the producer's event hub, in-process, each event sent
 * as one JSON text message. The hub's delivery threads send; when the socket's write buffer is full
 * the hub queues (and past its bound drops, then says how many in a {@code missed} message).
 */
final class EventSocket implements Outbound<SubscribeResponse> {
    private final Channel channel;
    private final Subscription subscription;

    private EventSocket(Channel channel, EventHub hub, Set<String> cameras) {
        this.channel = channel;
        this.subscription = hub.subscribe(new EventSelector(cameras, Set.of(), 0, Long.MAX_VALUE), 0, this);
    }

    /** Subscribes {@code channel} (an open WebSocket) to the events of {@code cameras} (empty: all). */
    static EventSocket open(Channel channel, EventHub hub, Set<String> cameras) {
        EventSocket socket = new EventSocket(channel, hub, cameras);
        channel.closeFuture().addListener(f -> socket.subscription.cancel());
        socket.subscription.start();
        return socket;
    }

    /** The socket can take more again. */
    void writable() {
        subscription.wake();
    }

    @Override
    public boolean isReady() {
        return channel.isWritable();
    }

    @Override
    public void send(SubscribeResponse message) {
        channel.writeAndFlush(new TextWebSocketFrame(EventJson.of(message)), channel.voidPromise());
    }

    @Override
    public void complete() {
        fail("the event stream ended");
    }

    @Override
    public void fail(String reason) {
        channel.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.ENDPOINT_UNAVAILABLE, reason))
                .addListener(ChannelFutureListener.CLOSE);
    }
}

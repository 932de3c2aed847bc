package io.virta.producer.web;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;

/**
 * One browser's WebSocket playing one camera. It starts at a keyframe with the init segment first;
 * when its socket's write buffer is over the server's bound it loses fragments until the next
 * keyframe (an MSE decoder cannot skip to anything else). Only the channel's event loop calls it.
 */
final class VideoClient {
    final Channel channel;
    private final FragmentMount mount;
    private boolean waitingForKeyframe = true;
    private long initGeneration = -1;

    VideoClient(Channel channel, FragmentMount mount) {
        this.channel = channel;
        this.mount = mount;
    }

    /** The caller keeps its reference to the fragment. */
    void deliver(FragmentDelivery delivery) {
        boolean keyframe = delivery.keyframe();
        if (!channel.isActive() || waitingForKeyframe && !keyframe) {
            return;
        }
        if (!channel.isWritable()) {
            mount.countDropped();
            waitingForKeyframe = true;
            return;
        }
        BrowserInitSegment init = delivery.init();
        if (init.generation() != initGeneration) {
            if (!keyframe) {
                // New parameter sets: the decoder needs them and then a keyframe.
                waitingForKeyframe = true;
                return;
            }
            channel.write(new BinaryWebSocketFrame(init.message().retainedDuplicate()));
            initGeneration = init.generation();
        }
        waitingForKeyframe = false;
        mount.countSent();
        channel.writeAndFlush(new BinaryWebSocketFrame(delivery.fragment().retainedDuplicate()), channel.voidPromise());
    }
}

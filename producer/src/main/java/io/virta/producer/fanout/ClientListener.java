package io.virta.producer.fanout;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

import java.util.function.Consumer;

/**
 * The TCP listener of a server whose clients a {@link LoopFanout} feeds: no Nagle delay (frames go
 * out as they come), and a write-buffer water mark per client, above which the client counts as
 * slow ({@code isWritable()} false) and loses units until the next keyframe.
 */
public final class ClientListener {
    private ClientListener() {
    }

    /**
     * Binds {@code host:port} (port 0 picks a free one) on {@code group}; {@code initChannel} sets
     * up each accepted connection's pipeline.
     */
    public static Channel bind(EventLoopGroup group, String host, int port, WriteBufferWaterMark perClient,
            Consumer<NioSocketChannel> initChannel) throws InterruptedException {
        return new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, perClient)
                .childHandler(new ChannelInitializer<NioSocketChannel>() {
                    @Override
                    protected void initChannel(NioSocketChannel ch) {
                        initChannel.accept(ch);
                    }
                }).bind(host, port).sync().channel();
    }
}

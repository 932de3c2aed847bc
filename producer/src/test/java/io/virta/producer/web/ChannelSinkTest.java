package io.virta.producer.web;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A browser that stops reading holds the export's writer back instead of making the server buffer the
 * export: a real Netty server writes 64 MiB through a {@link ChannelSink} to a real socket whose peer
 * reads nothing; the writer waits with a few MiB out at most, and finishes once the peer reads.
 */
@Timeout(60)
class ChannelSinkTest {
    private static final int HIGH_WATER = 256 << 10;
    private static final int CHUNK = 256 << 10;
    private static final long TOTAL = 64L << 20;

    @Test
    void aPeerThatReadsNothingStopsTheWriterAndOneThatReadsLetsItFinish() throws Exception {
        NioEventLoopGroup group = new NioEventLoopGroup(1);
        AtomicReference<ChannelSink> sink = new AtomicReference<>();
        CompletableFuture<Channel> accepted = new CompletableFuture<>();
        try {
            Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(HIGH_WATER / 2, HIGH_WATER))
                    .childOption(ChannelOption.SO_SNDBUF, 64 << 10)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel channel) {
                            channel.pipeline().addLast(new HttpResponseEncoder(), new ChannelInboundHandlerAdapter() {
                                @Override
                                public void channelWritabilityChanged(ChannelHandlerContext ctx) {
                                    sink.get().wake();
                                }
                            });
                            sink.set(new ChannelSink(channel));
                            accepted.complete(channel);
                        }
                    }).bind("127.0.0.1", 0).sync().channel();
            try (Socket browser = new Socket()) {
                browser.setReceiveBufferSize(64 << 10);
                browser.connect((InetSocketAddress) server.localAddress());
                HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                HttpUtil.setContentLength(head, TOTAL);
                accepted.get(10, TimeUnit.SECONDS).writeAndFlush(head).sync();
                Thread writer = Thread.ofVirtual().start(() -> {
                    ByteBuffer chunk = ByteBuffer.allocate(CHUNK);
                    try {
                        for (long done = 0; done < TOTAL; done += CHUNK) {
                            sink.get().write(chunk.clear());
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (writer.getState() != Thread.State.TIMED_WAITING && writer.getState() != Thread.State.WAITING) {
                    assertTrue(System.nanoTime() < giveUp && writer.isAlive(), "the writer never waited");
                    Thread.sleep(10);
                }
                long out = sink.get().written();
                // The water mark, one chunk, and what the two kernels' socket buffers took.
                assertTrue(out < HIGH_WATER + CHUNK + (4 << 20), "waits with " + out + " bytes handed over, not 64 MiB");

                InputStream in = browser.getInputStream();
                byte[] buffer = new byte[1 << 16];
                long read = 0;
                int crlf = 0;
                while (crlf < 4) { // the head, up to its blank line
                    int b = in.read();
                    crlf = (b == '\r' || b == '\n') ? crlf + 1 : 0;
                }
                for (int n; read < TOTAL && (n = in.read(buffer)) > 0; ) {
                    read += n;
                }
                writer.join(TimeUnit.SECONDS.toMillis(30));
                assertEquals(TOTAL, read);
                assertEquals(TOTAL, sink.get().written());
            } finally {
                server.close().sync();
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}

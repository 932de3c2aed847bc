package io.virta.grpc.server;

import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;

import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A listening socket that holds at most a fixed number of accepted connections: one beyond the cap is
 * closed at once, before gRPC allocates anything for it, and counted. The permit of an accepted
 * connection comes back when it closes, whoever closes it. Runs on the endpoint's boss event loop.
 */
final class CappedServerSocketChannel extends NioServerSocketChannel {
    private final Semaphore open;
    private final AtomicLong refused;

    CappedServerSocketChannel(Semaphore open, AtomicLong refused) {
        this.open = open;
        this.refused = refused;
    }

    @Override
    protected int doReadMessages(List<Object> accepted) throws Exception {
        int before = accepted.size();
        super.doReadMessages(accepted);
        for (int i = accepted.size() - 1; i >= before; i--) {
            Channel child = (Channel) accepted.get(i);
            if (open.tryAcquire()) {
                child.closeFuture().addListener(f -> open.release());
            } else {
                accepted.remove(i);
                child.unsafe().closeForcibly();
                refused.incrementAndGet();
            }
        }
        return accepted.size() - before;
    }
}

package io.virta.worker.attach;

import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.virta.protos.control.v1.ChannelDescriptor;
import io.virta.protos.control.v1.ChannelType;
import io.virta.protos.control.v1.GetChannelsRequest;
import io.virta.protos.control.v1.GetChannelsResponse;
import io.virta.protos.control.v1.PixelFormat;
import io.virta.protos.control.v1.ProducerControlGrpc;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A stand-in peer for the lookup's transport behaviour: a real gRPC server answering GetChannels from
 * a table the test fills, with the producer's status codes (NOT_FOUND for an unknown camera). The real
 * producer's control API is exercised end to end by the producer module's tests of `virta worker`.
 */
public final class StandInProducerControl implements AutoCloseable {
    private final Map<String, List<ChannelDescriptor>> cameras = new ConcurrentHashMap<>();
    private final Server server;

    public StandInProducerControl() throws IOException {
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(new ProducerControlGrpc.ProducerControlImplBase() {
                    @Override
                    public void getChannels(GetChannelsRequest request, StreamObserver<GetChannelsResponse> response) {
                        List<ChannelDescriptor> channels = cameras.get(request.getCamera());
                        if (channels == null) {
                            response.onError(Status.NOT_FOUND.withDescription("GetChannels: camera: no camera named '"
                                    + request.getCamera() + "'").asRuntimeException());
                            return;
                        }
                        response.onNext(GetChannelsResponse.newBuilder().addAllChannels(channels).build());
                        response.onCompleted();
                    }
                })
                .build()
                .start();
    }

    public String target() {
        return "127.0.0.1:" + ((InetSocketAddress) server.getListenSockets().getFirst()).getPort();
    }

    /** A camera that is known but has no channels yet (its first session has not started). */
    public void addCameraWithoutChannels(String camera) {
        cameras.put(camera, List.of());
    }

    /** A camera publishing {@code <prefix>.h264}, {@code .yuv} and {@code .rgb}, as the producer does. */
    public void addCamera(String camera, String prefix, int rgbWidth, int rgbHeight) {
        cameras.put(camera, List.of(
                ChannelDescriptor.newBuilder().setName(prefix + ".h264").setType(ChannelType.CHANNEL_TYPE_ENCODED)
                        .setPixelFormat(PixelFormat.PIXEL_FORMAT_H264).setCells(64).build(),
                ChannelDescriptor.newBuilder().setName(prefix + ".yuv").setType(ChannelType.CHANNEL_TYPE_YUV420P)
                        .setPixelFormat(PixelFormat.PIXEL_FORMAT_I420).setWidth(1920).setHeight(1080).setCells(8).build(),
                ChannelDescriptor.newBuilder().setName(prefix + ".rgb").setType(ChannelType.CHANNEL_TYPE_RGB24)
                        .setPixelFormat(PixelFormat.PIXEL_FORMAT_RGB24).setWidth(rgbWidth).setHeight(rgbHeight)
                        .setCells(8).build()));
    }

    @Override
    public void close() {
        server.shutdownNow();
        try {
            server.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

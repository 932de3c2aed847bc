package io.virta.producer.daemon;

import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.virta.producer.config.CameraConfig;
import io.virta.producer.config.ProducerConfig;
import io.virta.producer.ingest.CameraPipeline;
import io.virta.producer.ingest.StreamEvents;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Runs every camera of a {@link ProducerConfig}: all RTSP sessions share
 * {@link ProducerConfig#ioThreads()} event-loop threads (one camera stays on one of them), and each
 * decoding camera has a decoder thread of its own.
 */
public final class Producer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Producer.class.getName());

    private final ProducerConfig config;
    private final NioEventLoopGroup io;
    private final Map<String, CameraPipeline> cameras = Collections.synchronizedMap(new LinkedHashMap<>());
    private final StreamEvents events;
    private int nextSlot = 1;
    private boolean closed;

    public Producer(ProducerConfig config, StreamEvents events) {
        FfmpegLog.quiet();
        this.config = config;
        this.events = events;
        DefaultThreadFactory named = new DefaultThreadFactory("virta-io", true);
        java.util.concurrent.ThreadFactory pinned = task -> named.newThread(() -> {
            CpuAffinity.pinCurrentThread(config.ioCpus());
            task.run();
        });
        this.io = new NioEventLoopGroup(config.ioThreads(), config.ioCpus() == null ? named : pinned);
    }

    public Producer start() {
        for (CameraConfig camera : config.cameras()) {
            add(camera);
        }
        return this;
    }

    /** Adds and starts a camera at runtime. */
    public synchronized CameraPipeline add(CameraConfig camera) {
        if (closed) {
            throw new IllegalStateException("the producer is shutting down");
        }
        if (cameras.containsKey(camera.name())) {
            throw new IllegalArgumentException("camera '" + camera.name() + "' exists already");
        }
        CameraPipeline pipeline = new CameraPipeline(camera, nextSlot++, io.next(), events, config.decoderCpus());
        cameras.put(camera.name(), pipeline);
        pipeline.start();
        LOG.info(() -> "started " + camera);
        return pipeline;
    }

    /** Stops a camera (TEARDOWN, channels closed); false if there is none of that name. */
    public boolean remove(String name) {
        CameraPipeline pipeline = cameras.remove(name);
        if (pipeline == null) {
            return false;
        }
        pipeline.close();
        return true;
    }

    public List<CameraPipeline> cameras() {
        synchronized (cameras) {
            return new ArrayList<>(cameras.values());
        }
    }

    public CameraPipeline camera(String name) {
        return cameras.get(name);
    }

    /** Tears every session down, closes the channels (readers see END_OF_STREAM) and stops the threads. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        for (CameraPipeline pipeline : cameras()) {
            pipeline.close();
        }
        cameras.clear();
        // Leave the TEARDOWNs a moment to go out before the sockets close.
        io.shutdownGracefully(300, 2000, TimeUnit.MILLISECONDS).syncUninterruptibly();
    }
}

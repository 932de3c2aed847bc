package io.virta.producer.output;

import io.virta.producer.config.CameraConfig;
import io.virta.rtsp.media.VideoCodec;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One camera's outputs over its life: it asks the producer's {@link OutputFactory}s for them at the
 * start of each {@link OutputFactory.Lifetime} and keeps those that outlive a run. The producer
 * holds one per camera, from its addition to its removal; each run of the camera's pipeline opens
 * a {@link #openRun() run's group} and, per codec, a {@link #openCodec codec's group}.
 *
 * <p>Called from the control thread, except {@link #openCodec}, which the ingest thread calls when a
 * session tells the codec.
 *
 * <pre>{@code
 * CameraOutputs outputs = CameraOutputs.open(factories, camera, stream);  // the RTP sender opens here
 * OutputGroup run = outputs.openRun();                                     // mounts for viewers
 * OutputGroup channels = outputs.openCodec(VideoCodec.H264);               // <name>.h264, .mp4, .yuv, .rgb
 * ...
 * channels.close(); run.close(); outputs.close();
 * }</pre>
 */
public final class CameraOutputs implements AutoCloseable {
    private final List<OutputFactory> factories;
    private final OutputContext context;
    /** The camera's {@link OutputFactory.Lifetime#CAMERA} outputs, by the factory that made them. */
    private final Map<OutputFactory, CameraOutput> lifelong;
    private int runs;

    private CameraOutputs(List<OutputFactory> factories, OutputContext context, Map<OutputFactory, CameraOutput> lifelong) {
        this.factories = factories;
        this.context = context;
        this.lifelong = lifelong;
    }

    /**
     * Opens a camera's outputs that live as long as the camera does.
     *
     * @throws RuntimeException from a factory that cannot open its output (what opened before is closed)
     */
    public static CameraOutputs open(List<OutputFactory> factories, CameraConfig config, int stream) {
        OutputContext context = OutputContext.beforeCodec(config, stream);
        Map<OutputFactory, CameraOutput> lifelong = new IdentityHashMap<>();
        OutputGroup.Builder opened = new OutputGroup.Builder(config);
        try {
            for (OutputFactory factory : factories) {
                if (factory.lifetime() == OutputFactory.Lifetime.CAMERA) {
                    Optional<CameraOutput> output = factory.open(context);
                    output.ifPresent(o -> {
                        opened.own(o);
                        lifelong.put(factory, o);
                    });
                }
            }
        } catch (RuntimeException e) {
            opened.abandon();
            throw e;
        }
        return new CameraOutputs(List.copyOf(factories), context, lifelong);
    }

    /**
     * The outputs of a new run, in the factories' order: the camera's lifelong ones (told that the
     * camera restarted, from its second run on) and a fresh {@link OutputFactory.Lifetime#RUN} one of each.
     */
    public OutputGroup openRun() {
        if (runs++ > 0) {
            lifelong.values().forEach(CameraOutput::cameraRestarted);
        }
        OutputGroup.Builder group = new OutputGroup.Builder(context.config());
        try {
            for (OutputFactory factory : factories) {
                switch (factory.lifetime()) {
                    case CAMERA -> {
                        CameraOutput kept = lifelong.get(factory);
                        if (kept != null) {
                            group.feed(kept);
                        }
                    }
                    case RUN -> factory.open(context).ifPresent(group::own);
                    case CODEC -> { }
                }
            }
        } catch (RuntimeException e) {
            group.abandon();
            throw e;
        }
        return group.build();
    }

    /** The {@link OutputFactory.Lifetime#CODEC} outputs for a session that told {@code codec}, in the factories' order. */
    public OutputGroup openCodec(VideoCodec codec) {
        OutputContext session = context.withCodec(codec);
        OutputGroup.Builder group = new OutputGroup.Builder(context.config());
        try {
            for (OutputFactory factory : factories) {
                if (factory.lifetime() == OutputFactory.Lifetime.CODEC) {
                    factory.open(session).ifPresent(group::own);
                }
            }
        } catch (RuntimeException e) {
            group.abandon();
            throw e;
        }
        return group.build();
    }

    /** The counters of the outputs that live as long as the camera: all a stopped camera reports. */
    public void report(OutputReport report) {
        for (OutputFactory factory : factories) {
            CameraOutput kept = lifelong.get(factory);
            if (kept != null) {
                kept.report(report);
            }
        }
    }

    /** Closes the outputs that live as long as the camera, last first: the camera is removed. */
    @Override
    public void close() {
        OutputGroup.closeReversed(context.config(),
                factories.stream().filter(lifelong::containsKey).map(lifelong::get).toList());
    }
}

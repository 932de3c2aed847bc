package io.virta.producer.ingest;

import io.virta.producer.source.TrackReceiver;

import io.virta.producer.source.CameraSource;
import io.virta.producer.source.StreamEvents;

import io.netty.channel.EventLoop;
import io.virta.bus.ChannelSpec;
import io.virta.bus.ChannelType;
import io.virta.bus.ChannelWriter;
import io.virta.bus.PixelFormat;
import io.virta.producer.config.CameraConfig;
import io.virta.producer.graph.CountingTap;
import io.virta.producer.graph.ForkFilter;
import io.virta.producer.output.CameraOutputs;
import io.virta.producer.output.OutputGroup;
import io.virta.producer.output.OutputReport;
import io.virta.rtsp.media.AccessUnit;
import io.virta.rtsp.media.VideoCodec;
import io.virta.rtsp.RtspUrl;
import io.virta.rtsp.auth.Credentials;
import io.virta.producer.source.ffmpeg.FfmpegSource;
import io.virta.producer.source.ffmpeg.FfmpegSourceOptions;
import io.virta.producer.source.sdp.SdpFileSource;

import java.nio.file.Path;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.logging.Logger;

/**
 * One camera, from one start to the matching stop:
 *
 * <pre>
 *   source -> VideoTrackReceiver -> CountingTap -> Fork -> the run's outputs: RTSP mount, RTP sender, web view
 *                                                      -> the codec's outputs: &lt;name&gt;.h264|.h265, &lt;name&gt;.mp4
 *   &lt;name&gt;.h264 -> DecodeWorker (own thread) -> the codec's picture outputs: &lt;name&gt;.yuv, &lt;name&gt;.rgb (scaled)
 * </pre>
 *
 * What the outputs are is not named here: the camera's {@link CameraOutputs} makes them from the
 * producer's factories, a run's group when the pipeline is made and a codec's group when a session
 * tells the codec (again when a later session tells another one). The decoder runs only while an
 * output of the codec wants pictures. The encoded channel is the hand-off between the I/O thread
 * and the decoder: a bus ring drops the oldest unit when the decoder falls behind, so a slow decoder
 * never stalls ingest.
 *
 * <p>Threads: units flow, and a session tells the codec, on the camera's ingest thread; {@link #start()},
 * {@link #close()} and the accessors are for the control thread. Closing tells the run's outputs
 * first (viewers are disconnected at once), then sends TEARDOWN, then stops the decoder, then closes
 * the codec's outputs (readers see END_OF_STREAM).
 */
public final class CameraPipeline implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(CameraPipeline.class.getName());
    private static final State AWAITING_CODEC = new AwaitingCodec();
    private static final State CLOSED = new Closed();

    private final CameraConfig config;
    private final VideoTrackReceiver receiver;
    private final CountingTap<AccessUnit> unitsIn;
    private final ForkFilter<AccessUnit> fork = new ForkFilter<>();
    private final CameraSource source;
    private final EventLoop loop;
    private final BitSet decoderCpus;
    private final CameraOutputs outputs;
    /** This run's outputs, fed from the start to the stop whatever the sessions and codecs. */
    private final OutputGroup run;
    /** Swapped whole, so that a reader never sees half of a codec's outputs. */
    private volatile State state = AWAITING_CODEC;
    /** Held while {@link #state} changes: a session's codec on the ingest thread, or {@link #close()}. */
    private final Object codecSwitch = new Object();

    /** Where the camera stands with the outputs of its codec. */
    private sealed interface State permits AwaitingCodec, Publishing, Closed {
    }

    /** No session has told the codec yet (or the outputs of the last codec are being replaced): no channels. */
    private record AwaitingCodec() implements State {
    }

    /** A session told the codec: its outputs are open and fed. */
    private sealed interface Publishing extends State permits Passing, Decoding {
        VideoCodec codec();

        OutputGroup outputs();
    }

    /** No output of the codec wants pictures: no decoder thread, no FFmpeg context, no work. */
    private record Passing(VideoCodec codec, OutputGroup outputs) implements Publishing {
    }

    /** The decoder reads the encoded channel and feeds the outputs that want pictures. */
    private record Decoding(VideoCodec codec, OutputGroup outputs, DecodeWorker decoder) implements Publishing {
    }

    /** Closed: a late session's codec opens nothing. */
    private record Closed() implements State {
    }

    /**
     * Makes the camera's source and opens its run's outputs; {@link #start()} starts the source.
     *
     * @param slot        the camera's stream number, stamped on its units
     * @param outputs     what makes the camera's outputs; it outlives this run
     * @param decoderCpus CPUs for this camera's decoder thread; null leaves it to the scheduler
     */
    public CameraPipeline(CameraConfig config, int slot, EventLoop loop, StreamEvents events, BitSet decoderCpus,
            CameraOutputs outputs) {
        this.config = config;
        this.decoderCpus = decoderCpus;
        this.loop = loop;
        this.outputs = outputs;
        this.unitsIn = new CountingTap<>(AccessUnit::size, AccessUnit::captureTimeMicros, fork);
        int maxUnit = (int) Math.min(Integer.MAX_VALUE - 16, config.encoded().capacityBytes());
        this.receiver = new VideoTrackReceiver(config.name(), config.timestamps(), config.onLoss(), maxUnit,
                unit -> unitsIn.accept(unit.slot(slot)), this::onCodec);
        if (config.sdp() != null) {
            this.source = new SdpFileSource(config.name(), Path.of(config.sdp()), loop, receiver, config.reconnect(), events,
                    config.networkInterface());
        } else if (config.isFfmpegInput()) {
            // No RTP here: units come straight from the demuxer, so the capture clock is applied in the sink.
            this.source = new FfmpegSource(config.name(), ffmpegOptions(config), unit -> unitsIn.accept(unit.slot(slot)),
                    this::onCodec, events);
        } else {
            this.source = rtspSource(config, loop, receiver, events);
        }
        this.run = outputs.openRun();
        fork.connect(run);
    }

    private static FfmpegSourceOptions ffmpegOptions(CameraConfig config) {
        CameraConfig.FfmpegInputConfig f = config.ffmpeg();
        FfmpegSourceOptions options = FfmpegSourceOptions.of(config.url()).withLoop(f.loop()).withSeekSeconds(f.seekSeconds())
                .withRealtime(f.realtime()).withReconnect(config.reconnect());
        if (f.format() != null) {
            options = options.withFormat(f.format());
        }
        if (f.v4l2Size() != null || f.v4l2Fps() != null || f.v4l2Format() != null) {
            options = options.withV4l2(f.v4l2Size(), f.v4l2Fps(), f.v4l2Format());
        }
        for (var option : f.options().entrySet()) {
            options = options.withAvOption(option.getKey(), option.getValue());
        }
        return options;
    }

    private static RtspCameraSource rtspSource(CameraConfig config, EventLoop loop, TrackReceiver receiver,
            StreamEvents events) {
        RtspUrl url = RtspUrl.parse(config.url());
        Credentials credentials = null;
        if (config.user() != null || config.password() != null) {
            credentials = new Credentials(config.user() != null ? config.user() : url.user(),
                    config.password() != null ? config.password() : url.password());
        } else if (url.hasCredentials()) {
            credentials = new Credentials(url.user(), url.password());
        }
        return new RtspCameraSource(config.name(), loop, url, credentials, config.transport(), config.reconnect(),
                receiver, events);
    }

    public void start() {
        source.start();
    }

    /** Subscribes to this camera's access units (called on the I/O thread; see {@link AccessUnit}). */
    public ForkFilter<AccessUnit> units() {
        return fork;
    }

    public String name() {
        return config.name();
    }

    public CameraConfig config() {
        return config;
    }

    public CameraSource source() {
        return source;
    }

    public VideoTrackReceiver receiver() {
        return receiver;
    }

    public CountingTap<AccessUnit> unitsIn() {
        return unitsIn;
    }

    /** The decoder while some output wants pictures; null otherwise. */
    public DecodeWorker decoder() {
        return state instanceof Decoding decoding ? decoding.decoder() : null;
    }

    /** The encoded channel's name; null before the first session has told the codec. */
    public String encodedChannel() {
        return codecReport().encodedChannel().map(ChannelWriter::name).orElse(null);
    }

    /** The names of the channels published now, in the order their outputs opened. */
    public List<String> channels() {
        return codecReport().channels().stream().map(ChannelWriter::name).toList();
    }

    /** One channel this camera publishes, as its writer describes it: for status reporting. */
    public record PublishedChannel(String name, ChannelType type, PixelFormat format, int width, int height, int cells,
            long cellCapacity, long framesPublished) {
    }

    /** The channels published now: none before the first session has told the codec, or after close. */
    public List<PublishedChannel> publishedChannels() {
        List<PublishedChannel> channels = new ArrayList<>();
        for (ChannelWriter w : codecReport().channels()) {
            ChannelSpec spec = w.spec();
            channels.add(new PublishedChannel(w.name(), spec.type(), spec.format(), spec.width(), spec.height(),
                    w.cells(), w.capacity(), w.sequence()));
        }
        return channels;
    }

    /** Adds the counters of the run's outputs, then of the codec's, to a status snapshot. */
    public void report(OutputReport report) {
        run.report(report);
        if (state instanceof Publishing publishing) {
            publishing.outputs().report(report);
        }
    }

    private OutputReport codecReport() {
        OutputReport report = new OutputReport();
        if (state instanceof Publishing publishing) {
            publishing.outputs().report(report);
        }
        return report;
    }

    /** A session tells the codec: the first one, or one after a reconnect, maybe with another codec. */
    private void onCodec(VideoCodec codec) {
        State next;
        synchronized (codecSwitch) {
            State before = state;
            if (before instanceof Closed || before instanceof Publishing p && p.codec() == codec) {
                return;
            }
            state = AWAITING_CODEC;
            closeCodecOutputs(before);
            OutputGroup group = outputs.openCodec(codec);
            try {
                next = group.wantsPictures() ? new Decoding(codec, group, startDecoder(codec, group))
                        : new Passing(codec, group);
            } catch (RuntimeException e) {
                group.close();
                throw e;
            }
            fork.connect(group);
            state = next;
        }
        String decoding = next instanceof Passing ? " (decoding off)" : "";
        LOG.info(() -> config + ": publishing " + channels() + decoding);
    }

    private DecodeWorker startDecoder(VideoCodec codec, OutputGroup group) {
        OutputReport opened = new OutputReport();
        group.report(opened);
        ChannelWriter encoded = opened.encodedChannel().orElseThrow(() -> new IllegalStateException("camera "
                + config.name() + ": an output wants pictures, but no output publishes the encoded channel the"
                + " decoder reads; list StandardOutputs.encodedChannel() among the producer's outputs"));
        return new DecodeWorker(config.name(), encoded.name(), codec, config.decoderThreads(),
                (int) Math.min(Integer.MAX_VALUE - 16, config.encoded().capacityBytes()), group, decoderCpus).start();
    }

    private void closeCodecOutputs(State last) {
        if (!(last instanceof Publishing publishing)) {
            return;
        }
        fork.disconnect(publishing.outputs());
        if (publishing instanceof Decoding decoding) {
            try {
                decoding.decoder().close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        publishing.outputs().close();
    }

    /** Sends TEARDOWN, stops decoding, and closes the channels (readers see END_OF_STREAM). */
    @Override
    public void close() {
        fork.disconnect(run);
        run.close();
        source.close();
        // Stop publishing on the I/O thread before the channels close under it.
        loop.submit(() -> {
            if (state instanceof Publishing publishing) {
                fork.disconnect(publishing.outputs());
            }
        }).syncUninterruptibly();
        State last;
        synchronized (codecSwitch) {
            last = state;
            state = CLOSED;
        }
        closeCodecOutputs(last);
    }
}

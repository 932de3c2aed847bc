package io.virta.producer.ingest;

import io.virta.producer.source.TrackReceiver;

import io.virta.producer.source.CameraSource;
import io.virta.producer.source.StreamEvents;

import io.netty.channel.EventLoop;
import io.virta.bus.ChannelSpec;
import io.virta.bus.ChannelType;
import io.virta.bus.ChannelWriter;
import io.virta.bus.PixelFormat;
import io.virta.bus.PixelFormat;
import io.virta.producer.config.CameraConfig;
import io.virta.producer.decode.DecodedFrame;
import io.virta.producer.decode.DecodedFrameListener;
import io.virta.producer.decode.EncodedPublisher;
import io.virta.producer.decode.I420Publisher;
import io.virta.producer.decode.RgbPublisher;
import io.virta.producer.decode.ScalingAlgorithm;
import io.virta.producer.graph.CountingTap;
import io.virta.producer.graph.ForkFilter;
import io.virta.rtsp.media.AccessUnit;
import io.virta.rtsp.media.VideoCodec;
import io.virta.producer.mux.fmp4.Fmp4Publisher;
import io.virta.rtsp.RtspUrl;
import io.virta.rtsp.auth.Credentials;
import io.virta.producer.source.ffmpeg.FfmpegSource;
import io.virta.producer.source.ffmpeg.FfmpegSourceOptions;
import io.virta.producer.source.sdp.SdpFileSource;

import java.nio.file.Path;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * One camera, end to end:
 *
 * <pre>
 *   RtspCameraSource -> VideoTrackReceiver -> CountingTap -> Fork -> EncodedPublisher -> &lt;name&gt;.h264|.h265
 *                                                                 -> Fmp4Publisher -> &lt;name&gt;.mp4 (if enabled)
 *                                                                   (other subscribers: recorders, re-streamers)
 *   &lt;name&gt;.h264 -> DecodeWorker (own thread) -> I420Publisher -> &lt;name&gt;.yuv
 *                                            -> RgbPublisher  -> &lt;name&gt;.rgb (scaled, rate-limited)
 * </pre>
 *
 * The encoded channel is the hand-off between the I/O thread and the decoder: a bus ring drops the
 * oldest unit when the decoder falls behind, so a slow decoder never stalls ingest.
 */
public final class CameraPipeline implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(CameraPipeline.class.getName());

    private final CameraConfig config;
    private final int slot;
    private final VideoTrackReceiver receiver;
    private final CountingTap<AccessUnit> unitsIn;
    private final ForkFilter<AccessUnit> fork = new ForkFilter<>();
    private final CameraSource source;
    private final EventLoop loop;
    private final List<AutoCloseable> outputs = new ArrayList<>();
    private volatile ChannelWriter encodedWriter;
    private volatile EncodedPublisher encodedPublisher;
    private volatile io.virta.producer.graph.FrameSink<AccessUnit> encodedSink;
    private volatile DecodeWorker decoder;
    private volatile ChannelWriter fmp4Writer;
    private volatile Fmp4Publisher fmp4Publisher;
    private volatile io.virta.producer.graph.FrameSink<AccessUnit> fmp4Sink;
    private volatile ChannelWriter yuvWriter;
    private volatile ChannelWriter rgbWriter;
    private volatile I420Publisher yuvPublisher;
    private volatile RgbPublisher rgbPublisher;
    /** The writers once all of a session's channels exist: a client never sees half of them. */
    private volatile List<ChannelWriter> published = List.of();

    private final java.util.BitSet decoderCpus;

    /** @param decoderCpus CPUs for this camera's decoder thread; null leaves it to the scheduler */
    public CameraPipeline(CameraConfig config, int slot, EventLoop loop, StreamEvents events, java.util.BitSet decoderCpus) {
        this.config = config;
        this.decoderCpus = decoderCpus;
        this.slot = slot;
        this.loop = loop;
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

    public DecodeWorker decoder() {
        return decoder;
    }

    public String encodedChannel() {
        ChannelWriter w = encodedWriter;
        return w == null ? null : w.name();
    }

    public List<String> channels() {
        List<String> names = new ArrayList<>();
        for (ChannelWriter w : new ChannelWriter[] {encodedWriter, fmp4Writer, yuvWriter, rgbWriter}) {
            if (w != null) {
                names.add(w.name());
            }
        }
        return names;
    }

    /** One channel this camera publishes, as its writer describes it: for status reporting. */
    public record PublishedChannel(String name, ChannelType type, PixelFormat format, int width, int height, int cells,
            long cellCapacity, long framesPublished) {
    }

    /** The channels published now: none before the first session has told the codec, or after close. */
    public List<PublishedChannel> publishedChannels() {
        List<PublishedChannel> channels = new ArrayList<>();
        for (ChannelWriter w : published) {
            ChannelSpec spec = w.spec();
            channels.add(new PublishedChannel(w.name(), spec.type(), spec.format(), spec.width(), spec.height(),
                    w.cells(), w.capacity(), w.sequence()));
        }
        return channels;
    }

    public long rgbPublished() {
        RgbPublisher p = rgbPublisher;
        return p == null ? 0 : p.published();
    }

    public long yuvPublished() {
        I420Publisher p = yuvPublisher;
        return p == null ? 0 : p.published();
    }

    /** The first session tells the codec: now the channels can be named and created. */
    private void onCodec(VideoCodec codec) {
        String suffix = codec == VideoCodec.H264 ? ".h264" : ".h265";
        String name = config.name() + suffix;
        if (encodedWriter != null && encodedWriter.name().equals(name)) {
            return;
        }
        closeOutputs();
        encodedWriter = ChannelWriter.create(ChannelSpec.of(name, ChannelType.ENCODED)
                .format(codec == VideoCodec.H264 ? PixelFormat.H264 : PixelFormat.H265)
                .capacity(config.encoded().capacityBytes()).cells(config.encoded().cells()));
        outputs.add(encodedWriter);
        encodedPublisher = new EncodedPublisher(encodedWriter).streamId(slot);
        encodedSink = encodedPublisher::onAccessUnit;
        fork.connect(encodedSink);
        openFmp4();
        if (!config.decodes()) {
            // No channel wants pictures: no decoder thread, no FFmpeg context, no work.
            published = java.util.stream.Stream.of(encodedWriter, fmp4Writer).filter(w -> w != null).toList();
            LOG.info(() -> config + ": publishing " + channels() + " (decoding off)");
            return;
        }
        List<DecodedFrameListener> sinks = new ArrayList<>();
        if (config.yuv().enabled()) {
            yuvWriter = ChannelWriter.create(ChannelSpec.yuv420p(config.name() + ".yuv", config.yuv().maxWidth(),
                    config.yuv().maxHeight()).cells(config.yuv().cells()));
            yuvPublisher = new I420Publisher(yuvWriter).streamId(slot);
            sinks.add(yuvPublisher);
        }
        if (config.rgb().enabled()) {
            rgbWriter = ChannelWriter.create(ChannelSpec.rgb24(config.name() + ".rgb", config.rgb().width(),
                    config.rgb().height()).cells(config.rgb().cells()));
            long interval = config.rgb().fps() > 0 ? (long) (1_000_000 / config.rgb().fps()) : 0;
            rgbPublisher = new RgbPublisher(rgbWriter, ScalingAlgorithm.BICUBIC, interval).streamId(slot);
            sinks.add(rgbPublisher);
        }
        DecodedFrameListener out = sinks.size() == 1 ? sinks.getFirst() : new DecodedFrameListener() {
            @Override
            public void onFrame(DecodedFrame frame) {
                for (DecodedFrameListener s : sinks) {
                    s.onFrame(frame);
                }
            }
        };
        decoder = new DecodeWorker(config.name(), name, codec, config.decoderThreads(),
                (int) Math.min(Integer.MAX_VALUE - 16, config.encoded().capacityBytes()), out, decoderCpus).start();
        published = java.util.stream.Stream.of(encodedWriter, fmp4Writer, yuvWriter, rgbWriter).filter(w -> w != null).toList();
        LOG.info(() -> config + ": publishing " + channels());
    }

    /** The {@code <name>.mp4} channel, when the camera's config enables it. */
    private void openFmp4() {
        if (!config.fmp4().enabled()) {
            return;
        }
        fmp4Writer = ChannelWriter.create(ChannelSpec.of(config.name() + ".mp4", ChannelType.FMP4)
                .format(PixelFormat.FMP4).capacity(config.fmp4().capacityBytes()).cells(config.fmp4().cells()));
        fmp4Publisher = new Fmp4Publisher(fmp4Writer).streamId(slot).fragmentMillis(config.fmp4().fragmentMillis());
        fmp4Sink = fmp4Publisher::onAccessUnit;
        fork.connect(fmp4Sink);
    }

    private void disconnectSinks() {
        if (encodedSink != null) {
            fork.disconnect(encodedSink);
        }
        if (fmp4Sink != null) {
            fork.disconnect(fmp4Sink);
        }
    }

    private void closeOutputs() {
        published = List.of();
        disconnectSinks();
        if (decoder != null) {
            try {
                decoder.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (AutoCloseable c : new AutoCloseable[] {yuvPublisher, rgbPublisher, yuvWriter, rgbWriter, fmp4Writer, encodedWriter}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    LOG.warning(config + ": closing " + c + ": " + e);
                }
            }
        }
        outputs.clear();
        encodedWriter = null;
        fmp4Writer = null;
        fmp4Publisher = null;
        fmp4Sink = null;
        yuvWriter = null;
        rgbWriter = null;
        decoder = null;
    }

    /** Sends TEARDOWN, stops decoding, and closes the channels (readers see END_OF_STREAM). */
    @Override
    public void close() {
        source.close();
        // Stop publishing on the I/O thread before the channels close under it.
        loop.submit(this::disconnectSinks).syncUninterruptibly();
        closeOutputs();
    }
}

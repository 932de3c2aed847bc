package io.virta.producer.output;

import io.virta.bus.ChannelSpec;
import io.virta.bus.ChannelType;
import io.virta.bus.ChannelWriter;
import io.virta.bus.PixelFormat;
import io.virta.producer.config.CameraConfig;
import io.virta.producer.decode.DecodedFrame;
import io.virta.producer.decode.DecodedFrameListener;
import io.virta.producer.decode.EncodedPublisher;
import io.virta.producer.decode.I420Publisher;
import io.virta.producer.decode.RgbPublisher;
import io.virta.producer.decode.ScalingAlgorithm;
import io.virta.producer.mux.fmp4.Fmp4Publisher;
import io.virta.rtsp.media.AccessUnit;
import io.virta.rtsp.media.AccessUnitListener;
import io.virta.rtsp.media.VideoCodec;

import java.util.function.Consumer;

/**
 * One of the camera's bus channels with the publisher that writes it, one per codec:
 * <ul>
 *   <li>{@link #encoded} {@code <name>.h264|.h265}: every access unit, still encoded, one copy into
 *       the cell. It is also the bounded queue to the camera's decoder, which reads it like any other
 *       reader, so a slow decoder loses the oldest units and ingest never waits.</li>
 *   <li>{@link #fmp4} {@code <name>.mp4} ({@code fmp4.enabled}): the units muxed into fragmented MP4
 *       straight in the cells.</li>
 *   <li>{@link #yuv} {@code <name>.yuv} ({@code yuv.enabled}): each decoded picture as I420, one copy
 *       out of the decoder's buffers.</li>
 *   <li>{@link #rgb} {@code <name>.rgb} ({@code rgb.enabled}): pictures scaled to RGB24 straight into
 *       the cell, at most {@code rgb.fps} a second.</li>
 * </ul>
 * A bus channel never waits for its readers: a slow one loses the oldest frames. Closing the output
 * frees the publisher's converter or scaler and ends the channel (readers see END_OF_STREAM).
 */
final class ChannelOutput implements CameraOutput {
    private final ChannelWriter writer;
    private final Feed feed;
    private final AccessUnitListener units;
    private final DecodedFrameListener pictures;
    /** Frees what the publisher holds besides the channel (a converter, a scaler). */
    private final Runnable freePublisher;
    private final Consumer<OutputReport> published;

    private ChannelOutput(ChannelWriter writer, Feed feed, AccessUnitListener units, DecodedFrameListener pictures,
            Runnable freePublisher, Consumer<OutputReport> published) {
        this.writer = writer;
        this.feed = feed;
        this.units = units;
        this.pictures = pictures;
        this.freePublisher = freePublisher;
        this.published = published;
    }

    private static ChannelOutput ofUnits(ChannelWriter writer, AccessUnitListener publisher) {
        return new ChannelOutput(writer, Feed.ACCESS_UNITS, publisher, picture -> { }, () -> { }, report -> { });
    }

    static ChannelOutput encoded(OutputContext camera) {
        CameraConfig config = camera.config();
        VideoCodec codec = camera.codec();
        String suffix = codec == VideoCodec.H264 ? ".h264" : ".h265";
        ChannelWriter writer = ChannelWriter.create(ChannelSpec.of(config.name() + suffix, ChannelType.ENCODED)
                .format(codec == VideoCodec.H264 ? PixelFormat.H264 : PixelFormat.H265)
                .capacity(config.encoded().capacityBytes()).cells(config.encoded().cells()));
        return ofUnits(writer, new EncodedPublisher(writer).streamId(camera.stream()));
    }

    static ChannelOutput fmp4(OutputContext camera) {
        CameraConfig config = camera.config();
        ChannelWriter writer = ChannelWriter.create(ChannelSpec.of(config.name() + ".mp4", ChannelType.FMP4)
                .format(PixelFormat.FMP4).capacity(config.fmp4().capacityBytes()).cells(config.fmp4().cells()));
        return ofUnits(writer, new Fmp4Publisher(writer).streamId(camera.stream())
                .fragmentMillis(config.fmp4().fragmentMillis()));
    }

    static ChannelOutput yuv(OutputContext camera) {
        CameraConfig config = camera.config();
        ChannelWriter writer = ChannelWriter.create(ChannelSpec.yuv420p(config.name() + ".yuv", config.yuv().maxWidth(),
                config.yuv().maxHeight()).cells(config.yuv().cells()));
        I420Publisher publisher = new I420Publisher(writer).streamId(camera.stream());
        return new ChannelOutput(writer, Feed.PICTURES, unit -> { }, publisher, publisher::close,
                report -> report.yuvPublished(publisher.published()));
    }

    static ChannelOutput rgb(OutputContext camera) {
        CameraConfig config = camera.config();
        ChannelWriter writer = ChannelWriter.create(ChannelSpec.rgb24(config.name() + ".rgb", config.rgb().width(),
                config.rgb().height()).cells(config.rgb().cells()));
        long interval = config.rgb().fps() > 0 ? (long) (1_000_000 / config.rgb().fps()) : 0;
        RgbPublisher publisher = new RgbPublisher(writer, ScalingAlgorithm.BICUBIC, interval).streamId(camera.stream());
        return new ChannelOutput(writer, Feed.PICTURES, unit -> { }, publisher, publisher::close,
                report -> report.rgbPublished(publisher.published()));
    }

    @Override
    public Feed feed() {
        return feed;
    }

    @Override
    public void onAccessUnit(AccessUnit unit) {
        units.onAccessUnit(unit);
    }

    @Override
    public void onPicture(DecodedFrame picture) {
        pictures.onFrame(picture);
    }

    @Override
    public void report(OutputReport report) {
        report.channel(writer);
        published.accept(report);
    }

    @Override
    public void close() {
        try {
            freePublisher.run();
        } finally {
            writer.close();
        }
    }

    @Override
    public String toString() {
        return writer.name();
    }
}

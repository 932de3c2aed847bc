package io.virta.producer.output;

import io.virta.bus.ChannelType;
import io.virta.bus.ChannelWriter;
import io.virta.producer.rtp.out.RtpSender;
import io.virta.producer.status.CameraStatus;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The counters a camera's outputs report for one status snapshot ({@link CameraOutput#report}), in
 * the shape {@link CameraStatus} gives them. One is made per snapshot and filled on the thread taking
 * it; not thread-safe. What no output reports stays at its "none" value: no channels,
 * {@link CameraStatus.Restream#NONE}, no RTP sender, nothing published, no recording.
 */
public final class OutputReport {
    private final List<ChannelWriter> channels = new ArrayList<>();
    private CameraStatus.Restream restream = CameraStatus.Restream.NONE;
    private RtpSender.Stats rtpOut;
    private long yuvPublished;
    private long rgbPublished;
    private CameraStatus.Recording recording = CameraStatus.Recording.OFF;

    /** A bus channel the camera publishes, in the order its output was opened. */
    public void channel(ChannelWriter writer) {
        channels.add(writer);
    }

    public void restream(CameraStatus.Restream served) {
        this.restream = served;
    }

    public void rtpOut(RtpSender.Stats sent) {
        this.rtpOut = sent;
    }

    public void yuvPublished(long frames) {
        this.yuvPublished = frames;
    }

    public void rgbPublished(long frames) {
        this.rgbPublished = frames;
    }

    public void recording(CameraStatus.Recording recorded) {
        this.recording = recorded;
    }

    /** The recorder's counters; {@link CameraStatus.Recording#OFF} when no recorder reported. */
    public CameraStatus.Recording recording() {
        return recording;
    }

    /** The channels reported, in order. */
    public List<ChannelWriter> channels() {
        return channels;
    }

    /** The channel of the camera's access units, which its decoder reads; empty if no output publishes one. */
    public Optional<ChannelWriter> encodedChannel() {
        return channels.stream().filter(w -> w.spec().type() == ChannelType.ENCODED).findFirst();
    }

    public CameraStatus.Restream restream() {
        return restream;
    }

    /** The RTP sender's counters; null without {@code rtpOut:}, as {@link CameraStatus#rtpOut()} has it. */
    public RtpSender.Stats rtpOut() {
        return rtpOut;
    }

    public long yuvPublished() {
        return yuvPublished;
    }

    public long rgbPublished() {
        return rgbPublished;
    }
}

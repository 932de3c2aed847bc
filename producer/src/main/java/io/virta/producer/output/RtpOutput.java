package io.virta.producer.output;

import io.virta.producer.config.CameraConfig;
import io.virta.producer.rtp.out.RtpSender;
import io.virta.rtsp.media.AccessUnit;

import java.io.IOException;

/**
 * The camera sent as plain RTP ({@code rtpOut:}) by its {@link RtpSender}, on a non-blocking socket
 * that drops and counts what does not fit. One for the camera's whole life: opened at its addition,
 * closed at its removal, so that receivers see one stream (one SSRC, one timeline) across stops,
 * starts and codec changes, and the status reports its counters while the camera is stopped.
 */
final class RtpOutput implements CameraOutput {
    private final RtpSender sender;

    private RtpOutput(RtpSender sender) {
        this.sender = sender;
    }

    /** @throws IllegalStateException naming the camera and destination, when the socket cannot be opened */
    static RtpOutput open(CameraConfig camera) {
        try {
            return new RtpOutput(RtpSender.open(camera.name(), camera.rtpOut()));
        } catch (IOException e) {
            throw new IllegalStateException("camera " + camera.name() + ": rtpOut to "
                    + camera.rtpOut().destination() + ": cannot open a socket: " + e.getMessage(), e);
        }
    }

    @Override
    public Feed feed() {
        return Feed.ACCESS_UNITS;
    }

    @Override
    public void onAccessUnit(AccessUnit unit) {
        sender.accept(unit);
    }

    @Override
    public void cameraRestarted() {
        sender.cameraRestarted();
    }

    @Override
    public void report(OutputReport report) {
        report.rtpOut(sender.stats());
    }

    @Override
    public void close() {
        sender.close();
    }

    @Override
    public String toString() {
        return "the RTP sender";
    }
}

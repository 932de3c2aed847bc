package io.virta.producer.source;

/** Where a camera's access units come from: RTSP, an SDP description, or anything FFmpeg opens. */
public interface CameraSource extends AutoCloseable {
    /** Starts delivering units to the sink given at construction; returns at once. */
    void start();

    boolean isOnline();

    /** How many times the source reconnected (or re-opened) after losing its input. */
    long reconnects();

    /** Why the source last went offline, for people; null if it never did. */
    String lastError();

    /** Stops delivering; afterwards no unit reaches the sink. */
    @Override
    void close();
}

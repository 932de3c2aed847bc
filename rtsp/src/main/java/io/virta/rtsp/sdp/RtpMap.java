package io.virta.rtsp.sdp;

/**
 * {@code a=rtpmap:<payload type> <encoding name>/<clock rate>[/<encoding parameters>]}, e.g.
 * {@code a=rtpmap:96 H264/90000}. {@code encodingParameters} is {@code ""} when absent (for audio it
 * is the channel count).
 */
public record RtpMap(int payloadType, String encodingName, int clockRate, String encodingParameters) {
}

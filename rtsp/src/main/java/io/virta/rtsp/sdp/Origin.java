package io.virta.rtsp.sdp;

/**
 * The {@code o=} line. Session id and version stay strings: cameras write 20-digit ids that do not
 * fit a {@code long}, and nothing here does arithmetic on them.
 */
public record Origin(String username, String sessionId, String sessionVersion,
                     String networkType, String addressType, String address) {
}

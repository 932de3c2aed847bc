package io.virta.rtsp.sdp;

/** {@code a=sendrecv/sendonly/recvonly/inactive}, from the point of view of the SDP's author. */
public enum Direction {
    SENDRECV, SENDONLY, RECVONLY, INACTIVE;

    static Direction fromAttributeName(String name) {
        return switch (name.toLowerCase(java.util.Locale.ROOT)) {
            case "sendrecv" -> SENDRECV;
            case "sendonly" -> SENDONLY;
            case "recvonly" -> RECVONLY;
            case "inactive" -> INACTIVE;
            default -> null;
        };
    }
}

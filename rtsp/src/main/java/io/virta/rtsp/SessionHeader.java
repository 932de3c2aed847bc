package io.virta.rtsp;

/** {@code Session: id[;timeout=seconds]} (RFC 2326 section 12.37); the timeout defaults to 60 s. */
public record SessionHeader(String id, int timeoutSeconds) {
    public static final int DEFAULT_TIMEOUT_SECONDS = 60;

    public static SessionHeader parse(String value) throws RtspProtocolException {
        if (value == null || value.isBlank()) {
            throw new RtspProtocolException("the SETUP response has no Session header");
        }
        String[] parts = value.split(";");
        String id = parts[0].trim();
        if (id.isEmpty() || id.chars().anyMatch(c -> c <= ' ' || c > '~')) {
            throw new RtspProtocolException("Session '" + value + "': the session id is empty or not printable");
        }
        int timeout = DEFAULT_TIMEOUT_SECONDS;
        for (int i = 1; i < parts.length; i++) {
            String part = parts[i].trim();
            if (part.regionMatches(true, 0, "timeout=", 0, 8)) {
                try {
                    timeout = Integer.parseInt(part.substring(8).trim());
                } catch (NumberFormatException e) {
                    throw new RtspProtocolException("Session '" + value + "': timeout is not a number");
                }
                if (timeout <= 0) {
                    timeout = DEFAULT_TIMEOUT_SECONDS;
                }
            }
        }
        return new SessionHeader(id, timeout);
    }
}

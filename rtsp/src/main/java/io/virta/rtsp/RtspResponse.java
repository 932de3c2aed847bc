package io.virta.rtsp;

import java.nio.charset.StandardCharsets;

/** A response from the server (status line, headers, body). */
public record RtspResponse(int status, String reason, RtspHeaders headers, byte[] body) {

    public long cseq() throws RtspProtocolException {
        return headers.getLong("CSeq", -1);
    }

    public boolean isSuccess() {
        return status >= 200 && status < 300;
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "RTSP/1.0 " + status + " " + reason;
    }
}

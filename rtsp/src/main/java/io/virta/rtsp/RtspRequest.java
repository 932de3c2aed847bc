package io.virta.rtsp;

import java.nio.charset.StandardCharsets;

/** A request a client sends. Control traffic is a handful of messages per session, so this allocates freely. */
public final class RtspRequest {
    private final String method;
    private final String uri;
    private final RtspHeaders headers = new RtspHeaders();
    private byte[] body = new byte[0];

    public RtspRequest(String method, String uri) {
        if (method.isEmpty() || method.chars().anyMatch(c -> c <= ' ') || uri.chars().anyMatch(c -> c <= ' ')) {
            throw new IllegalArgumentException("RTSP method and URI must not contain spaces or control characters: "
                    + method + " " + uri);
        }
        this.method = method;
        this.uri = uri;
    }

    public String method() {
        return method;
    }

    public String uri() {
        return uri;
    }

    public RtspHeaders headers() {
        return headers;
    }

    public RtspRequest header(String name, String value) {
        headers.set(name, value);
        return this;
    }

    public RtspRequest body(byte[] body, String contentType) {
        this.body = body.clone();
        headers.set("Content-Type", contentType);
        return this;
    }

    /** The request on the wire; Content-Length is added for a body. */
    public byte[] encode() {
        StringBuilder text = new StringBuilder(256);
        text.append(method).append(' ').append(uri).append(" RTSP/1.0\r\n");
        for (int i = 0; i < headers.size(); i++) {
            String value = headers.value(i);
            if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("header " + headers.name(i) + " contains a line break");
            }
            text.append(headers.name(i)).append(": ").append(value).append("\r\n");
        }
        if (body.length > 0) {
            text.append("Content-Length: ").append(body.length).append("\r\n");
        }
        text.append("\r\n");
        byte[] head = text.toString().getBytes(StandardCharsets.UTF_8);
        byte[] wire = new byte[head.length + body.length];
        System.arraycopy(head, 0, wire, 0, head.length);
        System.arraycopy(body, 0, wire, head.length, body.length);
        return wire;
    }

    /** For logs: the request line only, so credentials in headers never reach a log. */
    @Override
    public String toString() {
        return method + " " + RtspUrl.redact(uri);
    }
}

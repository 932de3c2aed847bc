package io.virta.producer.web;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

/**
 * {@code webView.token}: when set, a request must carry it as {@code ?token=} (what the page and a
 * browser's WebSocket can do) or as {@code Authorization: Bearer} (what scripts do).
 */
final class AccessToken {
    private final byte[] token;

    /** {@code token}: null lets every request in. */
    AccessToken(String token) {
        this.token = token == null ? null : token.getBytes(StandardCharsets.US_ASCII);
    }

    boolean required() {
        return token != null;
    }

    boolean admits(HttpRequest request, QueryStringDecoder uri) {
        if (token == null) {
            return true;
        }
        List<String> query = uri.parameters().get("token");
        if (query != null && !query.isEmpty() && matches(query.get(0))) {
            return true;
        }
        String authorization = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        return authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                && matches(authorization.substring(7).trim());
    }

    /** Compares in constant time, so the answer's timing does not leak how much of a guess was right. */
    private boolean matches(String candidate) {
        return MessageDigest.isEqual(token, candidate.getBytes(StandardCharsets.US_ASCII));
    }
}

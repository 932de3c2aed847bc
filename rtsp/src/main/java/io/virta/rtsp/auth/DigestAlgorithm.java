package io.virta.rtsp.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The Digest {@code algorithm} values of RFC 7616 section 6.1 (RFC 2617 had the MD5 two). */
enum DigestAlgorithm {
    MD5("MD5", "MD5", false),
    MD5_SESS("MD5-sess", "MD5", true),
    SHA_256("SHA-256", "SHA-256", false),
    SHA_256_SESS("SHA-256-sess", "SHA-256", true),
    SHA_512_256("SHA-512-256", "SHA-512/256", false),
    SHA_512_256_SESS("SHA-512-256-sess", "SHA-512/256", true);

    /** As written in the challenge and echoed in the response. */
    final String token;
    private final String javaName;
    /** A {@code -sess} variant: HA1 also covers the nonce and cnonce. */
    final boolean session;

    DigestAlgorithm(String token, String javaName, boolean session) {
        this.token = token;
        this.javaName = javaName;
        this.session = session;
    }

    /** The algorithm with this name in any case, or null. */
    static DigestAlgorithm named(String token) {
        for (DigestAlgorithm algorithm : values()) {
            if (algorithm.token.equalsIgnoreCase(token)) {
                return algorithm;
            }
        }
        return null;
    }

    /** Lower-case hex of the hash of the UTF-8 bytes of {@code text}. */
    String hash(String text) {
        return hash(text.getBytes(StandardCharsets.UTF_8));
    }

    String hash(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance(javaName).digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has " + javaName, e);
        }
    }
}

package io.virta.rtsp.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The server side of RTSP authentication (RFC 2326 section 14.6 with RFC 2617/7616 schemes):
 * checks a request's {@code Authorization} header against the configured users, and writes the
 * {@code WWW-Authenticate} challenge of a 401.
 *
 * <p>Digest uses MD5, which every RTSP client speaks, with {@code qop=auth} optional (answers with
 * and without it are accepted). Nonces are stateless: a timestamp signed with a per-server secret,
 * good for {@link #NONCE_LIFETIME_MILLIS}; an expired one gets a fresh challenge with {@code stale=true}.
 */
public final class ServerAuthenticator {
    public static final String REALM = "Virta";
    static final long NONCE_LIFETIME_MILLIS = 10 * 60 * 1000L;

    private final boolean digest;
    private final Map<String, String> passwords = new HashMap<>();
    private final byte[] secret = new byte[32];

    /** @param digest Digest when true, Basic (credentials in clear: use on trusted networks only) when false */
    public ServerAuthenticator(boolean digest, List<Credentials> users) {
        if (users.isEmpty()) {
            throw new IllegalArgumentException("authentication needs at least one user");
        }
        this.digest = digest;
        for (Credentials user : users) {
            passwords.put(user.user(), user.password());
        }
        new SecureRandom().nextBytes(secret);
    }

    /** What a request's credentials amount to. */
    public enum Verdict {
        ACCEPTED, REJECTED, STALE_NONCE
    }

    /** Checks a request's {@code Authorization} value (null when absent) for {@code method}. */
    public Verdict check(String method, String authorization) {
        if (authorization == null || authorization.isBlank()) {
            return Verdict.REJECTED;
        }
        try {
            AuthChallenge parsed = AuthChallenge.parse(authorization);
            if (digest && parsed.isDigest()) {
                return checkDigest(method, parsed);
            }
            if (!digest && parsed.isBasic()) {
                return checkBasic(parsed.token68()) ? Verdict.ACCEPTED : Verdict.REJECTED;
            }
        } catch (AuthenticationException | RuntimeException e) {
            // A header we cannot read is a wrong one: the client gets the challenge again.
        }
        return Verdict.REJECTED;
    }

    /** The {@code WWW-Authenticate} value of a 401. */
    public String challenge(boolean stale) {
        if (!digest) {
            return "Basic realm=\"" + REALM + "\"";
        }
        return "Digest realm=\"" + REALM + "\", nonce=\"" + nonce(System.currentTimeMillis()) + "\", algorithm=MD5"
                + (stale ? ", stale=true" : "");
    }

    private boolean checkBasic(String token) {
        if (token == null) {
            return false;
        }
        String userPass;
        try {
            userPass = new String(Base64.getDecoder().decode(token.trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return false;
        }
        int colon = userPass.indexOf(':');
        if (colon < 0) {
            return false;
        }
        String expected = passwords.get(userPass.substring(0, colon));
        return expected != null && constantTimeEquals(expected, userPass.substring(colon + 1));
    }

    private Verdict checkDigest(String method, AuthChallenge answer) {
        Optional<String> user = answer.parameter("username");
        Optional<String> nonce = answer.nonce();
        Optional<String> uri = answer.parameter("uri");
        Optional<String> response = answer.parameter("response");
        if (user.isEmpty() || nonce.isEmpty() || uri.isEmpty() || response.isEmpty()
                || !REALM.equals(answer.realm())
                || answer.algorithm().filter(a -> !a.equalsIgnoreCase("MD5")).isPresent()) {
            return Verdict.REJECTED;
        }
        String password = passwords.get(user.get());
        if (password == null) {
            return Verdict.REJECTED;
        }
        DigestAlgorithm md5 = DigestAlgorithm.MD5;
        String ha1 = md5.hash(user.get() + ":" + REALM + ":" + password);
        String ha2 = md5.hash(method + ":" + uri.get());
        Optional<String> qop = answer.parameter("qop");
        String expected;
        if (qop.isPresent()) {
            if (!"auth".equalsIgnoreCase(qop.get())) {
                return Verdict.REJECTED;
            }
            String nc = answer.parameter("nc").orElse("");
            String cnonce = answer.parameter("cnonce").orElse("");
            expected = md5.hash(ha1 + ":" + nonce.get() + ":" + nc + ":" + cnonce + ":" + qop.get() + ":" + ha2);
        } else {
            expected = md5.hash(ha1 + ":" + nonce.get() + ":" + ha2);
        }
        if (!constantTimeEquals(expected, response.get().toLowerCase(java.util.Locale.ROOT))) {
            return Verdict.REJECTED;
        }
        return nonceIsFresh(nonce.get()) ? Verdict.ACCEPTED : Verdict.STALE_NONCE;
    }

    /** {@code <issued millis hex>.<HMAC-ish signature>}: verifiable without remembering it. */
    private String nonce(long issuedMillis) {
        String issued = Long.toHexString(issuedMillis);
        return issued + "." + signature(issued);
    }

    private boolean nonceIsFresh(String nonce) {
        int dot = nonce.indexOf('.');
        if (dot <= 0) {
            return false;
        }
        String issued = nonce.substring(0, dot);
        if (!constantTimeEquals(signature(issued), nonce.substring(dot + 1))) {
            return false;
        }
        try {
            long age = System.currentTimeMillis() - Long.parseLong(issued, 16);
            return age >= 0 && age <= NONCE_LIFETIME_MILLIS;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private String signature(String issued) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(secret);
            sha.update(issued.getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(sha.digest(), 0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    private static boolean constantTimeEquals(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}

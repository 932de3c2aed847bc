package io.virta.rtsp.auth;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Answers an RTSP server's challenges for one session. Usage:
 * <pre>{@code
 * Authenticator auth = new Authenticator(credentials);
 * // for every request:
 * auth.authorization("DESCRIBE", url).ifPresent(value -> request.headers().set("Authorization", value));
 * // on 401:
 * if (auth.onUnauthorized(response.headers().getAll("WWW-Authenticate"))) { resend once } else { fail }
 * }</pre>
 * A Digest nonce is reused for every request, with {@code nc} counting up, until the server
 * challenges again. Methods are synchronized: keepalives may come from another thread.
 */
public final class Authenticator {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Credentials credentials;
    private final Supplier<String> cnonces;

    private AuthChallenge challenge;
    private DigestAlgorithm algorithm;
    /** "auth", "auth-int", or null for RFC 2069 style Digest without qop. */
    private String qop;
    private String cnonce;
    private long nonceCount;
    private String sessionHa1;
    private boolean answeredCurrentChallenge;

    public Authenticator(Credentials credentials) {
        this(credentials, Authenticator::randomCnonce);
    }

    /** With a chosen source of client nonces, for tests that reproduce published examples. */
    Authenticator(Credentials credentials, Supplier<String> cnonces) {
        this.credentials = Objects.requireNonNull(credentials, "credentials");
        this.cnonces = cnonces;
    }

    private static String randomCnonce() {
        byte[] bytes = new byte[8];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /**
     * The challenge to answer among all {@code WWW-Authenticate} values of a response (each value
     * may hold several): the first usable Digest in the server's order of preference, else Basic.
     *
     * @throws AuthenticationException when none is usable; the message says what each offered lacks
     */
    public static AuthChallenge choose(List<String> headerValues) throws AuthenticationException {
        List<String> problems = new ArrayList<>();
        AuthChallenge basic = null;
        for (String value : headerValues) {
            List<AuthChallenge> challenges;
            try {
                challenges = AuthChallenge.parseAll(value);
            } catch (AuthenticationException unparseable) {
                problems.add(unparseable.getMessage());
                continue;
            }
            for (AuthChallenge candidate : challenges) {
                if (candidate.isDigest()) {
                    String problem = digestProblem(candidate);
                    if (problem == null) {
                        return candidate;
                    }
                    problems.add(problem);
                } else if (candidate.isBasic()) {
                    if (basic == null) {
                        basic = candidate;
                    }
                } else {
                    problems.add("scheme " + candidate.scheme() + " is not supported");
                }
            }
        }
        if (basic != null) {
            return basic;
        }
        if (problems.isEmpty()) {
            throw new AuthenticationException("the server asked for authentication but offered no challenge");
        }
        throw new AuthenticationException("no usable authentication challenge: " + String.join("; ", problems));
    }

    /** Why this Digest challenge cannot be answered, or null when it can. */
    private static String digestProblem(AuthChallenge digest) {
        if (digest.nonce().isEmpty()) {
            return "Digest challenge has no nonce";
        }
        DigestAlgorithm algorithm = DigestAlgorithm.named(digest.algorithm().orElse("MD5"));
        if (algorithm == null) {
            return "Digest algorithm " + digest.algorithm().orElseThrow() + " is not supported";
        }
        List<String> qop = digest.qopOptions();
        if (!qop.isEmpty() && !qop.contains("auth") && !qop.contains("auth-int")) {
            return "Digest qop " + qop + " is not supported";
        }
        if (qop.isEmpty() && algorithm.session) {
            return "Digest algorithm " + algorithm.token + " needs a qop, and the challenge has none";
        }
        return null;
    }

    /**
     * Takes the challenges of a {@code 401} response.
     *
     * @return whether resending the request is worth it: true for the first challenge, a stale
     *         nonce, a new nonce, or a challenge not yet answered; false when the server rejected an
     *         answer to this very challenge (wrong credentials). Resend each request at most once:
     *         a server that changes its nonce on every 401 would otherwise be asked forever.
     * @throws AuthenticationException when no offered challenge is usable
     */
    public synchronized boolean onUnauthorized(List<String> headerValues) throws AuthenticationException {
        AuthChallenge next = choose(headerValues);
        if (next.isBasic() && credentials.user().indexOf(':') >= 0) {
            throw new AuthenticationException("Basic authentication cannot send a user name containing ':'");
        }
        boolean sameNonce = challenge != null && next.isDigest() && challenge.isDigest()
                && next.nonce().equals(challenge.nonce()) && next.realm().equals(challenge.realm());
        boolean sameBasic = challenge != null && next.isBasic() && challenge.isBasic();
        boolean rejected = answeredCurrentChallenge && !next.stale() && (sameNonce || sameBasic);
        if (sameNonce) {
            challenge = next; // keep nc counting: the server remembers the nonce's count
        } else {
            adopt(next);
        }
        return !rejected;
    }

    private void adopt(AuthChallenge next) {
        challenge = next;
        answeredCurrentChallenge = false;
        nonceCount = 0;
        sessionHa1 = null;
        if (next.isDigest()) {
            algorithm = DigestAlgorithm.named(next.algorithm().orElse("MD5"));
            List<String> options = next.qopOptions();
            qop = options.contains("auth") ? "auth" : options.contains("auth-int") ? "auth-int" : null;
            cnonce = qop == null ? null : cnonces.get();
        }
    }

    /** The challenge being answered; empty until the first {@link #onUnauthorized}. */
    public synchronized Optional<AuthChallenge> challenge() {
        return Optional.ofNullable(challenge);
    }

    /**
     * The {@code Authorization} value for a request without a body; empty before any challenge.
     *
     * @param uri the request URI exactly as in the request line
     */
    public Optional<String> authorization(String method, String uri) {
        return authorization(method, uri, new byte[0]);
    }

    /** As {@link #authorization(String, String)}, for a request with a body ({@code qop=auth-int} hashes it). */
    public synchronized Optional<String> authorization(String method, String uri, byte[] body) {
        if (challenge == null) {
            return Optional.empty();
        }
        answeredCurrentChallenge = true;
        if (challenge.isBasic()) {
            String userPass = credentials.user() + ":" + credentials.password();
            return Optional.of("Basic " + Base64.getEncoder().encodeToString(userPass.getBytes(StandardCharsets.UTF_8)));
        }
        return Optional.of(digest(method, uri, body));
    }

    private String digest(String method, String uri, byte[] body) {
        String realm = challenge.realm();
        String nonce = challenge.nonce().orElseThrow();
        String ha1 = algorithm.hash(credentials.user() + ":" + realm + ":" + credentials.password());
        if (algorithm.session) {
            // RFC 2617 3.2.2.2: computed once, with the cnonce of the first request after the challenge.
            if (sessionHa1 == null) {
                sessionHa1 = algorithm.hash(ha1 + ":" + nonce + ":" + cnonce);
            }
            ha1 = sessionHa1;
        }
        String ha2 = "auth-int".equals(qop)
                ? algorithm.hash(method + ":" + uri + ":" + algorithm.hash(body))
                : algorithm.hash(method + ":" + uri);
        StringBuilder header = new StringBuilder("Digest ");
        header.append("username=").append(quoted(credentials.user()))
                .append(", realm=").append(quoted(realm))
                .append(", nonce=").append(quoted(nonce))
                .append(", uri=").append(quoted(uri));
        String response;
        if (qop == null) {
            response = algorithm.hash(ha1 + ":" + nonce + ":" + ha2);
        } else {
            nonceCount++;
            String nc = String.format("%08x", nonceCount & 0xffffffffL);
            response = algorithm.hash(ha1 + ":" + nonce + ":" + nc + ":" + cnonce + ":" + qop + ":" + ha2);
            header.append(", qop=").append(qop)
                    .append(", nc=").append(nc)
                    .append(", cnonce=").append(quoted(cnonce));
        }
        header.append(", response=").append(quoted(response));
        if (challenge.algorithm().isPresent()) {
            header.append(", algorithm=").append(algorithm.token);
        }
        challenge.opaque().ifPresent(opaque -> header.append(", opaque=").append(quoted(opaque)));
        return header.toString();
    }

    private static String quoted(String value) {
        return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    @Override
    public synchronized String toString() {
        return "Authenticator[" + credentials + (challenge == null ? "" : ", " + challenge.scheme()) + "]";
    }
}

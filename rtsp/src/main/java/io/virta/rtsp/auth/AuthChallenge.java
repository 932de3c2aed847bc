package io.virta.rtsp.auth;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One challenge from a {@code WWW-Authenticate} header, e.g.
 * {@code Digest realm="IP Camera", nonce="6b2a...", qop="auth", stale=FALSE}.
 * Parameter names are kept in lower case (they are case-insensitive), values unquoted.
 */
public final class AuthChallenge {
    private final String scheme;
    private final Map<String, String> parameters;
    private final String token68;

    AuthChallenge(String scheme, Map<String, String> parameters, String token68) {
        this.scheme = scheme;
        this.parameters = Map.copyOf(parameters);
        this.token68 = token68;
    }

    /**
     * The first challenge in a header value (a value may list several; see {@link #parseAll}).
     *
     * @throws AuthenticationException when the value is not challenge syntax
     */
    public static AuthChallenge parse(String headerValue) throws AuthenticationException {
        return parseAll(headerValue).getFirst();
    }

    /**
     * Every challenge in one header value, in order ({@code Digest realm="a", nonce="b", Basic realm="a"}
     * is two).
     *
     * @throws AuthenticationException when the value is empty or not challenge syntax
     */
    public static List<AuthChallenge> parseAll(String headerValue) throws AuthenticationException {
        return new ChallengeParser(headerValue).challenges();
    }

    /** The scheme as written, e.g. {@code Digest}; compare with {@link #isDigest()}/{@link #isBasic()}. */
    public String scheme() {
        return scheme;
    }

    public boolean isBasic() {
        return scheme.equalsIgnoreCase("Basic");
    }

    public boolean isDigest() {
        return scheme.equalsIgnoreCase("Digest");
    }

    /** All parameters: lower-case names, unquoted values. */
    public Map<String, String> parameters() {
        return parameters;
    }

    /** A parameter by name, in any case. */
    public Optional<String> parameter(String name) {
        return Optional.ofNullable(parameters.get(name.toLowerCase(Locale.ROOT)));
    }

    /** {@code ""} when absent. */
    public String realm() {
        return parameters.getOrDefault("realm", "");
    }

    public Optional<String> nonce() {
        return parameter("nonce");
    }

    public Optional<String> opaque() {
        return parameter("opaque");
    }

    /** The Digest algorithm as written; absent means MD5. */
    public Optional<String> algorithm() {
        return parameter("algorithm");
    }

    /** The {@code qop} options in lower case, e.g. {@code [auth, auth-int]}; empty for legacy Digest. */
    public List<String> qopOptions() {
        String qop = parameters.get("qop");
        List<String> options = new ArrayList<>();
        if (qop != null) {
            for (String option : qop.split(",")) {
                String trimmed = option.strip().toLowerCase(Locale.ROOT);
                if (!trimmed.isEmpty()) {
                    options.add(trimmed);
                }
            }
        }
        return options;
    }

    /** {@code stale=true}: the nonce expired but the credentials were right, so retrying makes sense. */
    public boolean stale() {
        return parameters.getOrDefault("stale", "").equalsIgnoreCase("true");
    }

    /** For schemes such as Negotiate, whose challenge is one opaque token; {@code ""} otherwise. */
    public String token68() {
        return token68;
    }

    @Override
    public String toString() {
        return scheme + (token68.isEmpty() ? "" : " " + token68) + (parameters.isEmpty() ? "" : " " + parameters);
    }
}

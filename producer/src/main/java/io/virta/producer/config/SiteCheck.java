package io.virta.producer.config;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which requests come from the web view's own site: what keeps other web pages in a local browser out.
 * <ul>
 *   <li><b>Host.</b> A request's {@code Host} must name this server as only its user can: an IP literal,
 *       a name in {@code webView.allowedHosts}, or {@code localhost} while it listens on loopback (or on
 *       every address). A page on {@code evil.example} whose DNS name is rebound to 127.0.0.1 sends
 *       {@code Host: evil.example} and is refused, so it cannot read {@code /api/cameras}.</li>
 *   <li><b>Origin.</b> A request that carries an {@code Origin} (browsers send it on every WebSocket
 *       handshake and cross-origin fetch) must come from the page's own origin, the one its {@code Host}
 *       names, or one in {@code webView.allowedOrigins}. Clients that are not browsers send none and are
 *       not asked for one; the token is what keeps them out.</li>
 * </ul>
 * Immutable; any thread. Each check returns null when the request passes, or the sentence to answer
 * with (naming the setting that would let it in).
 *
 * <pre>{@code
 * SiteCheck site = new SiteCheck(List.of("cams.example"), List.of(), true);
 * site.refuseHost("127.0.0.1:8080");                          // null: passes
 * site.refuseOrigin("http://evil.example", "127.0.0.1:8080");  // "... webView.allowedOrigins ..."
 * }</pre>
 */
public final class SiteCheck {
    private static final Pattern IPV4 = Pattern.compile(
            "(?:(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9a-fA-F:.]+");
    private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*");

    private final Set<String> names;
    private final Set<String> origins;

    /**
     * @param allowedHosts   {@code webView.allowedHosts}, checked by {@link #normalizeName}
     * @param allowedOrigins {@code webView.allowedOrigins}, checked by {@link #normalizeOrigin}
     * @param localhostToo   whether {@code localhost} names this server (it listens on loopback)
     */
    public SiteCheck(List<String> allowedHosts, List<String> allowedOrigins, boolean localhostToo) {
        java.util.HashSet<String> n = new java.util.HashSet<>(allowedHosts);
        if (localhostToo) {
            n.add("localhost");
        }
        this.names = Set.copyOf(n);
        this.origins = Set.copyOf(allowedOrigins);
    }

    /** Null when {@code host} (a Host header, null when absent) names this server; otherwise why not. */
    public String refuseHost(String host) {
        if (host == null || host.isBlank()) {
            return "the request has no Host header; send the one HTTP/1.1 requires (the address you connect to)";
        }
        Authority authority = Authority.parse(host.trim(), -1);
        if (authority != null && (isIpLiteral(authority.host) || names.contains(authority.host))) {
            return null;
        }
        return "Host '" + printable(host) + "' is not a name of this web view; use its IP address, or add the name"
                + " to webView.allowedHosts in the producer's YAML";
    }

    /**
     * Null when a request with {@code origin} (null when absent) may be served, given its (already
     * accepted) {@code host}; otherwise why not.
     */
    public String refuseOrigin(String origin, String host) {
        if (origin == null) {
            return null;
        }
        String normalized = normalizeOrigin(origin.trim());
        if (normalized != null) {
            if (origins.contains(normalized)) {
                return null;
            }
            URI uri = URI.create(normalized);
            Authority own = Authority.parse(host.trim(), defaultPort(uri.getScheme()));
            Authority theirs = Authority.parse(uri.getRawAuthority(), defaultPort(uri.getScheme()));
            if (own != null && own.equals(theirs)) {
                return null;
            }
        }
        return "a page from origin '" + printable(origin) + "' may not use this web view; open the page from the"
                + " web view itself, or add that origin to webView.allowedOrigins in the producer's YAML";
    }

    /**
     * A host name for {@code webView.allowedHosts}, lower case without a trailing dot; null when it is
     * not a DNS name (an IP literal needs no listing; a port does not belong).
     */
    public static String normalizeName(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        if (n.endsWith(".")) {
            n = n.substring(0, n.length() - 1);
        }
        return NAME.matcher(n).matches() && !IPV4.matcher(n).matches() ? n : null;
    }

    /**
     * An origin for {@code webView.allowedOrigins} as browsers send it ({@code http://host[:port]}, lower
     * case, no default port, no path); null when {@code origin} is not one.
     */
    public static String normalizeOrigin(String origin) {
        URI uri;
        try {
            uri = new URI(origin);
        } catch (URISyntaxException e) {
            return null;
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getRawAuthority() == null
                || uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null
                || !(uri.getRawPath() == null || uri.getRawPath().isEmpty())) {
            return null;
        }
        Authority authority = Authority.parse(uri.getRawAuthority(), defaultPort(scheme));
        if (authority == null) {
            return null;
        }
        boolean defaultPort = authority.port == defaultPort(scheme);
        String host = authority.host.indexOf(':') >= 0 ? "[" + authority.host + "]" : authority.host;
        return scheme + "://" + host + (defaultPort ? "" : ":" + authority.port);
    }

    private static int defaultPort(String scheme) {
        return "https".equals(scheme) ? 443 : 80;
    }

    private static boolean isIpLiteral(String host) {
        if (IPV4.matcher(host).matches()) {
            return true;
        }
        if (host.indexOf(':') < 0 || !IPV6_CHARS.matcher(host).matches()) {
            return false;
        }
        try {
            // A literal with a colon is parsed, never looked up.
            InetAddress.getByName("[" + host + "]");
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static String printable(String text) {
        String cut = text.length() > 200 ? text.substring(0, 200) + "..." : text;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }

    /** {@code host[:port]} or {@code [v6][:port]}: the host lower case (IPv6 without brackets), the port or the default. */
    private record Authority(String host, int port) {
        static Authority parse(String text, int defaultPort) {
            String host;
            String port;
            if (text.startsWith("[")) {
                int close = text.indexOf(']');
                if (close < 0) {
                    return null;
                }
                host = text.substring(1, close);
                String rest = text.substring(close + 1);
                if (!rest.isEmpty() && !rest.startsWith(":")) {
                    return null;
                }
                port = rest.isEmpty() ? null : rest.substring(1);
            } else {
                int colon = text.indexOf(':');
                host = colon < 0 ? text : text.substring(0, colon);
                port = colon < 0 ? null : text.substring(colon + 1);
            }
            host = host.toLowerCase(Locale.ROOT);
            if (host.endsWith(".")) {
                host = host.substring(0, host.length() - 1);
            }
            if (host.isEmpty()) {
                return null;
            }
            if (port == null || port.isEmpty()) {
                return new Authority(host, defaultPort);
            }
            if (port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return null;
            }
            int p = Integer.parseInt(port);
            return p > 65535 ? null : new Authority(host, p);
        }
    }
}

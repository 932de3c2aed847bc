package io.virta.rtsp;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A camera URL, {@code rtsp://[user[:password]@]host[:port][/path][?query]}.
 *
 * <p>Camera passwords often contain {@code @}, {@code /} or {@code #}, which {@link java.net.URI}
 * rejects or mis-splits, so the credentials end at the last {@code @}. They may be
 * percent-encoded. They are never part of {@link #toString()} or of the URI sent on the wire.
 */
public final class RtspUrl {
    public static final int DEFAULT_PORT = 554;

    private final String host;
    private final int port;
    private final String pathAndQuery;
    private final String user;
    private final String password;

    private RtspUrl(String host, int port, String pathAndQuery, String user, String password) {
        this.host = host;
        this.port = port;
        this.pathAndQuery = pathAndQuery;
        this.user = user;
        this.password = password;
    }

    /** Parses {@code text}; the message of the exception names the part that is wrong, never the password. */
    public static RtspUrl parse(String text) {
        String trimmed = text == null ? "" : text.trim();
        String lower = trimmed.toLowerCase(Locale.ROOT);
        if (!lower.startsWith("rtsp://")) {
            throw new IllegalArgumentException("'" + shownWithoutParsing(trimmed) + "' is not an rtsp:// URL");
        }
        String rest = trimmed.substring("rtsp://".length());
        String user = null;
        String password = null;
        int at = rest.lastIndexOf('@');
        if (at >= 0) {
            String userInfo = rest.substring(0, at);
            rest = rest.substring(at + 1);
            int colon = userInfo.indexOf(':');
            user = decode(colon >= 0 ? userInfo.substring(0, colon) : userInfo);
            password = colon >= 0 ? decode(userInfo.substring(colon + 1)) : "";
        }
        // Errors quote the URL rebuilt from what follows the credentials, never the text given.
        String quoted = "rtsp://" + (at >= 0 ? "***@" : "") + rest;
        int pathStart = indexOfAny(rest, "/?");
        String authority = pathStart >= 0 ? rest.substring(0, pathStart) : rest;
        String path = pathStart >= 0 ? rest.substring(pathStart) : "/";
        if (path.startsWith("?")) {
            path = "/" + path;
        }
        String host = authority;
        int port = DEFAULT_PORT;
        int portColon = authority.startsWith("[") ? authority.indexOf(':', authority.indexOf(']')) : authority.lastIndexOf(':');
        if (portColon >= 0) {
            host = authority.substring(0, portColon);
            String portText = authority.substring(portColon + 1);
            try {
                port = Integer.parseInt(portText);
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("'" + quoted + "': port '" + portText + "' is not 1..65535");
            }
        }
        if (host.isEmpty() || host.chars().anyMatch(c -> c <= ' ')) {
            throw new IllegalArgumentException("'" + quoted + "' has no valid host");
        }
        if (path.chars().anyMatch(c -> c <= ' ')) {
            throw new IllegalArgumentException("'" + quoted + "': the path contains spaces or control characters;"
                    + " percent-encode them");
        }
        return new RtspUrl(host, port, path, user, password);
    }

    private static int indexOfAny(String s, String chars) {
        for (int i = 0; i < s.length(); i++) {
            if (chars.indexOf(s.charAt(i)) >= 0) {
                return i;
            }
        }
        return -1;
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s; // a literal '%' in a password
        }
    }

    /**
     * A URL as logs, errors and status may show it: built from its parsed parts, with any
     * credentials replaced by {@code ***}. An {@code rtsp://} URL is {@link #parse parsed} and
     * rebuilt; any other {@code scheme://} URL loses everything up to its last {@code @} (as for
     * RTSP, a password may hold {@code @}, {@code /}, spaces or quotes); a path is shown as it is.
     * Unlike {@link #redact}, it needs the whole URL and nothing else, so no character in a
     * password can end the credentials early.
     */
    public static String shown(String url) {
        if (url == null) {
            return null;
        }
        String trimmed = url.strip();
        if (trimmed.regionMatches(true, 0, "rtsp://", 0, 7)) {
            try {
                return parse(trimmed).shown();
            } catch (IllegalArgumentException e) {
                // shown below, from the same split parse makes
            }
        }
        return shownWithoutParsing(trimmed);
    }

    private static String shownWithoutParsing(String url) {
        int separator = url.indexOf("://");
        if (separator <= 0 || !url.substring(0, separator).matches("[A-Za-z][A-Za-z0-9+.-]*")
                || url.regionMatches(true, 0, "file", 0, separator)) {
            return url; // a path or a file: URI: no credentials to hide
        }
        String rest = url.substring(separator + 3);
        int at = rest.lastIndexOf('@');
        return url.substring(0, separator + 3) + (at >= 0 ? "***@" + rest.substring(at + 1) : rest);
    }

    /** This URL for people: {@code rtsp://***@host:port/path} when it has credentials, else {@link #requestUri()}. */
    public String shown() {
        String uri = requestUri();
        return user == null ? uri : "rtsp://***@" + uri.substring("rtsp://".length());
    }

    /**
     * Replaces the credentials of any URL ({@code scheme://user:password@...}) in free {@code text}
     * with {@code ***}. A last resort for text from elsewhere: a password with a space or a quote
     * ends the URL early here, so text Virta writes quotes {@link #shown(String)} URLs instead.
     */
    public static String redact(String text) {
        if (text == null) {
            return null;
        }
        StringBuilder out = new StringBuilder(text.length());
        int from = 0;
        while (true) {
            int start = text.indexOf("://", from);
            if (start < 0) {
                out.append(text, from, text.length());
                return out.toString();
            }
            int authorityStart = start + "://".length();
            int end = authorityStart;
            while (end < text.length() && !Character.isWhitespace(text.charAt(end)) && text.charAt(end) != '"') {
                end++;
            }
            int at = text.lastIndexOf('@', end - 1);
            out.append(text, from, authorityStart);
            if (at >= authorityStart) {
                out.append("***@");
                from = at + 1;
            } else {
                from = authorityStart;
            }
        }
    }

    public RtspUrl withCredentials(String user, String password) {
        return new RtspUrl(host, port, pathAndQuery, user, password);
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public String pathAndQuery() {
        return pathAndQuery;
    }

    /** Null when the URL carries no credentials. */
    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    public boolean hasCredentials() {
        return user != null;
    }

    /** The URL as sent in requests: no credentials. */
    public String requestUri() {
        String authority = port == DEFAULT_PORT ? host : host + ":" + port;
        return "rtsp://" + authority + pathAndQuery;
    }

    @Override
    public String toString() {
        return requestUri();
    }
}

package io.virta.producer.config;

import io.virta.rtsp.fanout.ConnectionLimits;

import java.util.List;

/**
 * {@code webView:} in the YAML: the producer serves a browser page that plays every camera live
 * (fMP4 over WebSocket into Media Source Extensions) with the event hub's boxes drawn over it, and a
 * JSON status API. Off unless the section is present; when on, it listens on loopback unless told
 * otherwise. {@code token} (null: none) must then accompany every request. See docs/web.md.
 *
 * @param allowedHosts   host names (lower case, no port) a request's {@code Host} may carry besides IP
 *                       literals, and {@code localhost} while it listens on loopback: what defeats DNS
 *                       rebinding
 * @param allowedOrigins origins ({@code http://name:port}, lower case, no default port) whose pages may
 *                       make requests and open the sockets, besides the page's own
 * @param limits         connections at once, and how long one may take to send a request
 */
public record WebViewConfig(boolean enabled, String listen, String token, List<String> allowedHosts,
        List<String> allowedOrigins, ConnectionLimits limits) {
    public static final String DEFAULT_LISTEN = "127.0.0.1:8080";
    public static final WebViewConfig OFF = new WebViewConfig(false, DEFAULT_LISTEN, null);

    public WebViewConfig {
        allowedHosts = List.copyOf(allowedHosts);
        allowedOrigins = List.copyOf(allowedOrigins);
    }

    /** No names or origins beyond the defaults, and the default limits. */
    public WebViewConfig(boolean enabled, String listen, String token) {
        this(enabled, listen, token, List.of(), List.of(), ConnectionLimits.DEFAULTS);
    }
}

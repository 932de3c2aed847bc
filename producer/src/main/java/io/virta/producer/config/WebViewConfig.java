package io.virta.producer.config;

/**
 * {@code webView:} in the YAML: the producer serves a browser page that plays every camera live
 * (fMP4 over WebSocket into Media Source Extensions) with the event hub's boxes drawn over it, and a
 * JSON status API. Off unless the section is present; when on, it listens on loopback unless told
 * otherwise. {@code token} (null: none) must then accompany every request. See docs/web.md.
 */
public record WebViewConfig(boolean enabled, String listen, String token) {
    public static final String DEFAULT_LISTEN = "127.0.0.1:8080";
    public static final WebViewConfig OFF = new WebViewConfig(false, DEFAULT_LISTEN, null);
}

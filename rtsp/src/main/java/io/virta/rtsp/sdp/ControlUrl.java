package io.virta.rtsp.sdp;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * Resolves {@code a=control} values against a base URL the way RTSP servers expect, which is not
 * quite RFC 3986: the base is treated as a directory, and its query is kept (what ffmpeg, live555
 * and gortsplib do, and what Dahua-style URLs with {@code ?channel=1} rely on).
 */
final class ControlUrl {
    private ControlUrl() {
    }

    /** Only RTSP schemes count as absolute: a relative control such as {@code track:1} must stay relative. */
    static boolean isAbsolute(String control) {
        String lower = control.toLowerCase(Locale.ROOT);
        return lower.startsWith("rtsp://") || lower.startsWith("rtsps://") || lower.startsWith("rtspu://");
    }

    static URI resolve(URI base, String control) throws URISyntaxException {
        if (control.equals("*")) {
            return base;
        }
        if (isAbsolute(control)) {
            return new URI(control);
        }
        if (control.startsWith("/")) {
            if (base.getRawAuthority() == null) {
                throw new URISyntaxException(base.toString(), "a path needs a base with a host");
            }
            return new URI(base.getScheme() + "://" + base.getRawAuthority() + control);
        }
        String baseText = base.toString();
        int fragment = baseText.indexOf('#');
        if (fragment >= 0) {
            baseText = baseText.substring(0, fragment);
        }
        boolean needsSlash = !baseText.endsWith("/") && !control.startsWith("?");
        return new URI(baseText + (needsSlash ? "/" : "") + control);
    }
}

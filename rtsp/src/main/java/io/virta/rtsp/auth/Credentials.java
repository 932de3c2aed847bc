package io.virta.rtsp.auth;

import java.net.URI;
import java.util.Objects;
import java.util.Optional;

/**
 * A user name and password for a camera. {@link #toString()} never shows the password, so a
 * {@code Credentials} can be logged with the rest of a stream's configuration.
 */
public record Credentials(String user, String password) {

    /** @throws IllegalArgumentException when either contains CR, LF or NUL (they would split a header) */
    public Credentials {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        if (hasLineBreakOrNul(user)) {
            throw new IllegalArgumentException("the user name contains a line break or NUL");
        }
        if (hasLineBreakOrNul(password)) {
            throw new IllegalArgumentException("the password contains a line break or NUL");
        }
    }

    private static boolean hasLineBreakOrNul(String text) {
        return text.indexOf('\r') >= 0 || text.indexOf('\n') >= 0 || text.indexOf('\0') >= 0;
    }

    /**
     * The credentials in a URL such as {@code rtsp://admin:s%40cret@cam/live} (percent-escapes
     * decoded); empty when it has none. A user without {@code :} gets an empty password.
     */
    public static Optional<Credentials> fromUri(URI uri) {
        String userInfo = uri.getUserInfo();
        if (userInfo == null) {
            return Optional.empty();
        }
        int colon = userInfo.indexOf(':');
        return Optional.of(colon < 0 ? new Credentials(userInfo, "")
                : new Credentials(userInfo.substring(0, colon), userInfo.substring(colon + 1)));
    }

    /** The URL without its user info: what goes in a request line, where credentials must not. */
    public static URI withoutUserInfo(URI uri) {
        String userInfo = uri.getRawUserInfo();
        if (userInfo == null) {
            return uri;
        }
        // Cut the raw text rather than rebuild from decoded parts, which would re-encode the path.
        String text = uri.toString();
        int authority = text.indexOf("//") + 2;
        return URI.create(text.substring(0, authority) + text.substring(authority + userInfo.length() + 1));
    }

    @Override
    public String toString() {
        return "Credentials[user=" + user + ", password=(hidden)]";
    }
}

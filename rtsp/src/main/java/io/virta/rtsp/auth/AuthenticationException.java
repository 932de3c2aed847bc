package io.virta.rtsp.auth;

/**
 * Authentication cannot go on: a challenge that does not parse, or one that offers no scheme or
 * algorithm this package supports. The message says which and why; it never contains a password.
 */
public final class AuthenticationException extends Exception {
    public AuthenticationException(String message) {
        super(message);
    }
}

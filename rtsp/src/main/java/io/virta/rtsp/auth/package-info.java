/**
 * RTSP authentication as cameras do it: HTTP Basic (RFC 7617) and Digest (RFC 2617, with the
 * SHA-256 algorithms of RFC 7616), including the legacy Digest without {@code qop} that
 * gst-rtsp-server and many cameras still send.
 *
 * <p>An RTSP client keeps one {@link io.virta.rtsp.auth.Authenticator} per session: on a
 * {@code 401} it hands over the {@code WWW-Authenticate} values and retries once if told to; for
 * every request it asks for the {@code Authorization} value. The Digest nonce is reused, with an
 * incrementing {@code nc}, until the server challenges again.
 *
 * <p>Challenges come from the network: {@link io.virta.rtsp.auth.AuthChallenge#parse} is
 * strict about syntax, tolerant of spacing, quoting and case, and reports problems as an
 * {@link io.virta.rtsp.auth.AuthenticationException}. Passwords never appear in
 * {@code toString()} or in error messages.
 */
package io.virta.rtsp.auth;

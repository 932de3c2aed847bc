package io.virta.rtsp.auth;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Authorization values checked against the worked examples of RFC 2617 (3.5), RFC 7616 (3.9.1),
 * RFC 2069 (2.4), against gst-rtsp-server 1.22 (it accepted the value recorded here), and
 * against hashes computed independently from the RFC formulas.
 */
class AuthenticatorTest {
    private static final String RFC2617_CHALLENGE = "Digest realm=\"testrealm@host.com\", qop=\"auth,auth-int\", "
            + "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"";
    private static final Credentials MUFASA_2617 = new Credentials("Mufasa", "Circle Of Life");

    @Test
    void rfc2617WorkedExample() throws AuthenticationException {
        Authenticator auth = new Authenticator(MUFASA_2617, () -> "0a4f113b");
        assertTrue(auth.onUnauthorized(List.of(RFC2617_CHALLENGE)));
        Map<String, String> header = fields(auth.authorization("GET", "/dir/index.html").orElseThrow());
        assertEquals("6629fae49393a05397450978507c4ef1", header.get("response"));
        assertEquals("Mufasa", header.get("username"));
        assertEquals("testrealm@host.com", header.get("realm"));
        assertEquals("dcd98b7102dd2f0e8b11d0f600bfb0c093", header.get("nonce"));
        assertEquals("/dir/index.html", header.get("uri"));
        assertEquals("auth", header.get("qop"));
        assertEquals("00000001", header.get("nc"));
        assertEquals("0a4f113b", header.get("cnonce"));
        assertEquals("5ccc069c403ebaf9f0171e9517f40e41", header.get("opaque"));
        assertNull(header.get("algorithm"), "not echoed when the server did not name one");
    }

    @Test
    void theNonceIsReusedAndNcCountsUp() throws AuthenticationException {
        Authenticator auth = new Authenticator(MUFASA_2617, () -> "0a4f113b");
        auth.onUnauthorized(List.of(RFC2617_CHALLENGE));
        auth.authorization("GET", "/dir/index.html");
        Map<String, String> second = fields(auth.authorization("GET", "/dir/index.html").orElseThrow());
        assertEquals("00000002", second.get("nc"));
        assertEquals("15b6bb427e3fecd23a43cb702ce447d5", second.get("response"));
        for (int i = 3; i <= 17; i++) {
            assertEquals(String.format("%08x", i), fields(auth.authorization("OPTIONS", "*").orElseThrow()).get("nc"));
        }
    }

    @Test
    void rfc7616Md5AndSha256Examples() throws AuthenticationException {
        Credentials mufasa = new Credentials("Mufasa", "Circle of Life");
        String cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
        String common = "realm=\"http-auth@example.org\", qop=\"auth, auth-int\", "
                + "nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", "
                + "opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"";

        Authenticator sha256 = new Authenticator(mufasa, () -> cnonce);
        // The RFC's server offers both, SHA-256 first: the first usable one is answered.
        sha256.onUnauthorized(List.of("Digest " + common + ", algorithm=SHA-256", "Digest " + common + ", algorithm=MD5"));
        Map<String, String> header = fields(sha256.authorization("GET", "/dir/index.html").orElseThrow());
        assertEquals("753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1", header.get("response"));
        assertEquals("SHA-256", header.get("algorithm"));

        Authenticator md5 = new Authenticator(mufasa, () -> cnonce);
        md5.onUnauthorized(List.of("Digest " + common + ", algorithm=MD5"));
        Map<String, String> md5Header = fields(md5.authorization("GET", "/dir/index.html").orElseThrow());
        assertEquals("8ca523f5e9506fed4657c9700eebdbec", md5Header.get("response"));
        assertEquals("MD5", md5Header.get("algorithm"));

        Authenticator sha512 = new Authenticator(mufasa, () -> cnonce);
        sha512.onUnauthorized(List.of("Digest " + common + ", algorithm=SHA-512-256"));
        assertEquals("430d05014cecc49cab6fbe03176d41a1da86cbfe24a16580e22aaad928d960d0",
                fields(sha512.authorization("GET", "/dir/index.html").orElseThrow()).get("response"));
    }

    @Test
    void legacyDigestWithoutQopAsRfc2069AndGstreamer() throws AuthenticationException {
        Authenticator rfc2069 = new Authenticator(new Credentials("Mufasa", "CircleOfLife"));
        rfc2069.onUnauthorized(List.of(
                "Digest realm=\"testrealm@host.com\", nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\""));
        Map<String, String> header = fields(rfc2069.authorization("GET", "/dir/index.html").orElseThrow());
        assertEquals("1949323746fe6a43ef61f9606e7febea", header.get("response"));
        assertNull(header.get("qop"));
        assertNull(header.get("nc"));
        assertNull(header.get("cnonce"));

        // gst-rtsp-server sends Basic and Digest as two headers; it accepted this exact DESCRIBE.
        Authenticator gst = new Authenticator(new Credentials("admin", "s3cret"));
        assertTrue(gst.onUnauthorized(List.of("Basic realm=\"GStreamer RTSP Server\"",
                "Digest realm=\"GStreamer RTSP Server\", nonce=\"2e12a56c13c1c27f\"")));
        assertEquals("Digest username=\"admin\", realm=\"GStreamer RTSP Server\", nonce=\"2e12a56c13c1c27f\", "
                        + "uri=\"rtsp://127.0.0.1:8555/test\", response=\"0f1c25d2274b92a6c920298e17adb871\"",
                gst.authorization("DESCRIBE", "rtsp://127.0.0.1:8555/test").orElseThrow());
        assertEquals("fe0c458b57e3fabe282526860d2980b2",
                fields(gst.authorization("OPTIONS", "rtsp://127.0.0.1:8555/test").orElseThrow()).get("response"));
    }

    @Test
    void md5SessAndAuthInt() throws AuthenticationException {
        Authenticator sess = new Authenticator(MUFASA_2617, () -> "0a4f113b");
        sess.onUnauthorized(List.of(RFC2617_CHALLENGE.replace("qop=\"auth,auth-int\"", "qop=\"auth\", algorithm=MD5-sess")));
        Map<String, String> header = fields(sess.authorization("GET", "/dir/index.html").orElseThrow());
        assertEquals("8e3825c57e897f5a0dec6c2d4e5059d0", header.get("response"));
        assertEquals("MD5-sess", header.get("algorithm"));

        Authenticator authInt = new Authenticator(MUFASA_2617, () -> "0a4f113b");
        authInt.onUnauthorized(List.of(RFC2617_CHALLENGE.replace("qop=\"auth,auth-int\"", "qop=\"auth-int\"")));
        assertEquals("5e6610ecf9ba3017a4870ad48e3ad30b",
                fields(authInt.authorization("GET", "/dir/index.html").orElseThrow()).get("response"));
        Authenticator withBody = new Authenticator(MUFASA_2617, () -> "0a4f113b");
        withBody.onUnauthorized(List.of(RFC2617_CHALLENGE.replace("qop=\"auth,auth-int\"", "qop=\"auth-int\"")));
        assertEquals("fb149b1d0ac361a94d4095d447caf7f3", fields(withBody.authorization("SET_PARAMETER",
                "/dir/index.html", "x: 1\r\n".getBytes(StandardCharsets.UTF_8)).orElseThrow()).get("response"));
    }

    @Test
    void basic() throws AuthenticationException {
        Authenticator auth = new Authenticator(new Credentials("admin", "s3cret"));
        assertEquals(Optional.empty(), auth.authorization("DESCRIBE", "rtsp://cam/"), "nothing before a challenge");
        assertTrue(auth.onUnauthorized(List.of("Basic realm=\"GStreamer RTSP Server\"")));
        assertEquals("Basic YWRtaW46czNjcmV0", auth.authorization("DESCRIBE", "rtsp://cam/").orElseThrow());
        assertFalse(auth.onUnauthorized(List.of("Basic realm=\"GStreamer RTSP Server\"")), "rejected: do not retry");

        Authenticator colon = new Authenticator(new Credentials("a:b", "c"));
        assertThrows(AuthenticationException.class, () -> colon.onUnauthorized(List.of("Basic realm=\"x\"")));
    }

    @Test
    void digestIsPreferredOverBasicWhateverTheOrder() throws AuthenticationException {
        assertTrue(Authenticator.choose(List.of("Basic realm=\"a\"", "Digest realm=\"a\", nonce=\"n\"")).isDigest());
        assertTrue(Authenticator.choose(List.of("Digest realm=\"a\", nonce=\"n\", Basic realm=\"a\"")).isDigest());
        assertTrue(Authenticator.choose(List.of("Basic realm=\"a\"", "Digest realm=\"a\", nonce=\"n\", algorithm=SHA-1"))
                .isBasic(), "an unusable Digest falls back to Basic");
        assertTrue(Authenticator.choose(List.of("Digest realm=\"unterminated", "Basic realm=\"a\"")).isBasic());
    }

    @Test
    void staleOrNewNonceIsRetriedSameNonceIsNot() throws AuthenticationException {
        Authenticator auth = new Authenticator(MUFASA_2617, () -> "c1");
        String first = "Digest realm=\"r\", nonce=\"n1\", qop=\"auth\"";
        assertTrue(auth.onUnauthorized(List.of(first)));
        assertTrue(auth.onUnauthorized(List.of(first)), "not answered yet: worth sending");
        auth.authorization("DESCRIBE", "rtsp://h/");
        assertEquals("00000002", fields(auth.authorization("DESCRIBE", "rtsp://h/").orElseThrow()).get("nc"));
        assertFalse(auth.onUnauthorized(List.of(first)), "the server rejected our answer to this nonce");
        assertEquals("00000003", fields(auth.authorization("DESCRIBE", "rtsp://h/").orElseThrow()).get("nc"),
                "the same nonce keeps its count");

        assertTrue(auth.onUnauthorized(List.of("Digest realm=\"r\", nonce=\"n1\", qop=\"auth\", stale=true")));
        auth.authorization("DESCRIBE", "rtsp://h/");
        assertTrue(auth.onUnauthorized(List.of("Digest realm=\"r\", nonce=\"n2\", qop=\"auth\"")));
        Map<String, String> header = fields(auth.authorization("PLAY", "rtsp://h/").orElseThrow());
        assertEquals("n2", header.get("nonce"));
        assertEquals("00000001", header.get("nc"), "a new nonce counts from 1");
    }

    @Test
    void unsupportedChallengesSayWhy() {
        assertChooseError("scheme NTLM is not supported", "NTLM");
        assertChooseError("Digest algorithm SHA-1 is not supported", "Digest realm=\"a\", nonce=\"n\", algorithm=SHA-1");
        assertChooseError("Digest challenge has no nonce", "Digest realm=\"a\"");
        assertChooseError("Digest qop [auth-conf] is not supported", "Digest realm=\"a\", nonce=\"n\", qop=\"auth-conf\"");
        assertChooseError("needs a qop", "Digest realm=\"a\", nonce=\"n\", algorithm=MD5-sess");
        assertChooseError("offered no challenge");
        assertChooseError("quoted string that does not end", "Digest realm=\"a");
    }

    @Test
    void valuesFromTheServerAreReQuotedSafely() throws AuthenticationException {
        Authenticator auth = new Authenticator(new Credentials("us\"er", "p"));
        auth.onUnauthorized(List.of("Digest realm=\"a \\\"b\\\" \\\\c\", nonce=\"n\""));
        String header = auth.authorization("OPTIONS", "*").orElseThrow();
        assertTrue(header.startsWith("Digest username=\"us\\\"er\", realm=\"a \\\"b\\\" \\\\c\", "), header);
        assertEquals("a \"b\" \\c", AuthChallenge.parse(header).realm(), "our header parses back to the same realm");
    }

    @Test
    void credentialsNeverShowThePassword() {
        Credentials credentials = new Credentials("admin", "hunter2");
        assertFalse(credentials.toString().contains("hunter2"), credentials.toString());
        assertTrue(credentials.toString().contains("admin"));
        assertFalse(new Authenticator(credentials).toString().contains("hunter2"));
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> new Credentials("admin", "bad\r\npassword"));
        assertFalse(error.getMessage().contains("bad"), error.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Credentials("ad\nmin", "x"));
        assertThrows(NullPointerException.class, () -> new Credentials(null, "x"));
    }

    @Test
    void credentialsFromAndOutOfUrls() {
        java.net.URI url = java.net.URI.create("rtsp://admin:s%40cret@[fe80::1]:554/live%2Fmain?ch=1");
        assertEquals(new Credentials("admin", "s@cret"), Credentials.fromUri(url).orElseThrow());
        assertEquals(java.net.URI.create("rtsp://[fe80::1]:554/live%2Fmain?ch=1"), Credentials.withoutUserInfo(url));
        assertEquals(new Credentials("viewer", ""), Credentials.fromUri(java.net.URI.create("rtsp://viewer@cam/")).orElseThrow());
        assertTrue(Credentials.fromUri(java.net.URI.create("rtsp://cam/")).isEmpty());
        java.net.URI plain = java.net.URI.create("rtsp://cam/");
        assertSame(plain, Credentials.withoutUserInfo(plain));
    }

    private static void assertChooseError(String expected, String... values) {
        AuthenticationException error = assertThrows(AuthenticationException.class,
                () -> Authenticator.choose(List.of(values)));
        assertTrue(error.getMessage().contains(expected), error.getMessage());
    }

    /** The fields of our own Authorization value, read back with the challenge parser. */
    private static Map<String, String> fields(String authorization) {
        try {
            return AuthChallenge.parse(authorization).parameters();
        } catch (AuthenticationException e) {
            throw new AssertionError(authorization, e);
        }
    }
}

package io.virta.rtsp.auth;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** WWW-Authenticate values as servers write them, tidy and otherwise. */
class AuthChallengeTest {

    @Test
    void rfc2617Example() throws AuthenticationException {
        AuthChallenge challenge = AuthChallenge.parse("""
                Digest
                                 realm="testrealm@host.com",
                                 qop="auth,auth-int",
                                 nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093",
                                 opaque="5ccc069c403ebaf9f0171e9517f40e41\"""".replace("\n", " "));
        assertTrue(challenge.isDigest());
        assertEquals("testrealm@host.com", challenge.realm());
        assertEquals("dcd98b7102dd2f0e8b11d0f600bfb0c093", challenge.nonce().orElseThrow());
        assertEquals("5ccc069c403ebaf9f0171e9517f40e41", challenge.opaque().orElseThrow());
        assertEquals(List.of("auth", "auth-int"), challenge.qopOptions());
        assertTrue(challenge.algorithm().isEmpty());
        assertFalse(challenge.stale());
    }

    @Test
    void gstreamerSendsOneSchemePerHeader() throws AuthenticationException {
        AuthChallenge basic = AuthChallenge.parse("Basic realm=\"GStreamer RTSP Server\"");
        assertTrue(basic.isBasic());
        assertEquals("GStreamer RTSP Server", basic.realm());
        AuthChallenge digest = AuthChallenge.parse("Digest realm=\"GStreamer RTSP Server\", nonce=\"2e12a56c13c1c27f\"");
        assertEquals("2e12a56c13c1c27f", digest.nonce().orElseThrow());
        assertTrue(digest.qopOptions().isEmpty());
    }

    @Test
    void caseSpacingAndQuotingVariants() throws AuthenticationException {
        AuthChallenge challenge = AuthChallenge.parse(
                "DIGEST  REALM = \"IP Camera(10789)\" ,NONCE=\"4a6e9f\",,stale=TRUE,algorithm=\"MD5\",qop=auth");
        assertTrue(challenge.isDigest());
        assertEquals("DIGEST", challenge.scheme());
        assertEquals("IP Camera(10789)", challenge.realm());
        assertEquals("4a6e9f", challenge.parameter("Nonce").orElseThrow());
        assertTrue(challenge.stale());
        assertEquals("MD5", challenge.algorithm().orElseThrow());
        assertEquals(List.of("auth"), challenge.qopOptions());
    }

    @Test
    void commasAndEscapesInsideQuotedStrings() throws AuthenticationException {
        AuthChallenge challenge = AuthChallenge.parse(
                "Digest realm=\"a, \\\"quoted\\\" realm\", nonce=\"n,1\", opaque=\"back\\\\slash\"");
        assertEquals("a, \"quoted\" realm", challenge.realm());
        assertEquals("n,1", challenge.nonce().orElseThrow());
        assertEquals("back\\slash", challenge.opaque().orElseThrow());
    }

    @Test
    void severalChallengesInOneValue() throws AuthenticationException {
        List<AuthChallenge> challenges = AuthChallenge.parseAll(
                "Basic realm=\"cam\", Digest realm=\"cam\", nonce=\"abc\", qop=\"auth\", Negotiate, NTLM abc+/==");
        assertEquals(4, challenges.size());
        assertTrue(challenges.get(0).isBasic());
        assertEquals(Map.of("realm", "cam"), challenges.get(0).parameters());
        assertEquals("abc", challenges.get(1).nonce().orElseThrow());
        assertEquals("Negotiate", challenges.get(2).scheme());
        assertEquals("abc+/==", challenges.get(3).token68());
        assertTrue(AuthChallenge.parse("Basic realm=\"cam\", Digest nonce=\"x\"").isBasic(), "parse gives the first");
    }

    @Test
    void parametersWithoutCommasAndWithoutValues() throws AuthenticationException {
        AuthChallenge challenge = AuthChallenge.parse("Digest realm=\"x\" nonce=\"y\" opaque=");
        assertEquals("y", challenge.nonce().orElseThrow());
        assertEquals("", challenge.opaque().orElseThrow());
        assertEquals("first wins", AuthChallenge.parse("Digest realm=\"first wins\", realm=\"second\"").realm());
    }

    @Test
    void malformedValuesAreCleanErrors() {
        assertError("", "no challenge");
        assertError(null, "no challenge");
        assertError(" , ,", "no challenge");
        assertError("Digest realm=\"never closed", "quoted string that does not end");
        assertError("Digest realm=\"x\", =oops", "expected a parameter name");
        assertError("\"Digest\" realm=x", "expected an authentication scheme");
        assertError("Digest\u0000 realm=x", "control character at position 6");
        assertError("Digest\r\nX-Injected: 1", "control character");
        assertError("Digest;realm=x", "expected a space after the scheme Digest");
        assertError("Digest " + "a".repeat(ChallengeParser.MAX_LENGTH), "characters long");
    }

    private static void assertError(String value, String expected) {
        AuthenticationException error = assertThrows(AuthenticationException.class, () -> AuthChallenge.parse(value));
        assertTrue(error.getMessage().contains(expected), error.getMessage());
    }
}

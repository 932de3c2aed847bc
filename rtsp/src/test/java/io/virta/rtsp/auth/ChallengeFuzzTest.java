package io.virta.rtsp.auth;

import io.virta.testkit.FuzzCorpus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Seeded random mutations of real challenges: parsing, choosing and answering either work or
 * fail with an {@link AuthenticationException}; nothing else escapes. The persisted corpus
 * (src/test/resources/fuzz/ChallengeFuzzTest) goes first.
 */
class ChallengeFuzzTest {
    private static final List<String> SEEDS = List.of(
            "Basic realm=\"GStreamer RTSP Server\"",
            "Digest realm=\"GStreamer RTSP Server\", nonce=\"2e12a56c13c1c27f\"",
            "Digest realm=\"testrealm@host.com\", qop=\"auth,auth-int\", nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", "
                    + "opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"",
            "Digest realm=\"IP Camera(10789)\", nonce=\"4a6e9f\", stale=\"FALSE\", algorithm=MD5-sess, qop=\"auth\"",
            "Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", algorithm=SHA-256, "
                    + "nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"",
            "Basic realm=\"cam\", Digest realm=\"a \\\"b\\\"\", nonce=\"n,1\", Negotiate abc==");
    private static final String INTERESTING = "\",=\\ \t;aZ0-/+*\u0000\r\n\u00e9";

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void mutatedChallengesParseOrFailCleanly() {
        SplittableRandom random = new SplittableRandom(0xA07_2617L);
        for (FuzzCorpus.Case input : FuzzCorpus.of(ChallengeFuzzTest.class)) {
            answerOrRefuse(input.text(), "corpus case " + input.name());
        }
        int answered = 0;
        int refused = 0;
        for (int iteration = 0; iteration < 5000; iteration++) {
            String mutated = mutate(SEEDS.get(iteration % SEEDS.size()), random);
            if (answerOrRefuse(mutated, "iteration " + iteration)) {
                answered++;
            } else {
                refused++; // clean failure
            }
        }
        assertTrue(answered > 500 && refused > 500, "both paths exercised: " + answered + " answered, " + refused + " refused");
    }

    /**
     * Parses {@code challenge}, answers it and parses the answer: true when answered, false when refused
     * with an {@link AuthenticationException}; anything else fails the test.
     */
    private static boolean answerOrRefuse(String challenge, String label) {
        try {
            List<AuthChallenge> challenges = AuthChallenge.parseAll(challenge);
            for (AuthChallenge parsed : challenges) {
                parsed.qopOptions();
                parsed.toString();
            }
            Authenticator auth = new Authenticator(new Credentials("admin", "pw"), () -> "c");
            auth.onUnauthorized(List.of(challenge));
            String header = auth.authorization("DESCRIBE", "rtsp://h/").orElseThrow();
            AuthChallenge.parse(header); // whatever the server sent, what we send back parses
            return true;
        } catch (AuthenticationException expected) {
            return false;
        } catch (RuntimeException | Error unexpected) {
            return fail(label + " threw " + unexpected + " for: " + challenge, unexpected);
        }
    }

    private static String mutate(String text, SplittableRandom random) {
        StringBuilder out = new StringBuilder(text);
        int mutations = 1 + random.nextInt(3);
        for (int m = 0; m < mutations && !out.isEmpty(); m++) {
            int at = random.nextInt(out.length());
            switch (random.nextInt(5)) {
                case 0 -> out.setCharAt(at, INTERESTING.charAt(random.nextInt(INTERESTING.length())));
                case 1 -> out.insert(at, INTERESTING.charAt(random.nextInt(INTERESTING.length())));
                case 2 -> out.delete(at, Math.min(out.length(), at + 1 + random.nextInt(8)));
                case 3 -> out.insert(at, out.substring(random.nextInt(out.length())));
                default -> out.setLength(at);
            }
        }
        return out.toString();
    }
}

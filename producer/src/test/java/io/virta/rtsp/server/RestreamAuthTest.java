package io.virta.rtsp.server;

import io.virta.producer.daemon.Producer;
import io.virta.testkit.ExternalCommand;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Basic and Digest authentication of re-served cameras, with ffmpeg as the client. */
class RestreamAuthTest {
    @Test
    void digestAndBasicTurnAwayWrongPasswordsAndLetTheRightOnePlay() throws Exception {
        for (String mode : new String[] {"digest", "basic"}) {
            try (Producer producer = RestreamTest.startCamera("rtspServer:\n  listen: 127.0.0.1:0\n  authentication: " + mode
                    + "\n  users:\n    - {name: viewer, password: \"s3cret pass\"}\n")) {
                String url = producer.rtspServer().url("cam");
                String withUser = url.replace("rtsp://", "rtsp://viewer:%s@");
                ExternalCommand.Result none = play(url);
                assertFalse(none.succeeded(), mode + ": played without credentials");
                assertTrue(none.stderr().contains("401"), mode + ": " + none.describe());
                ExternalCommand.Result wrong = play(withUser.formatted("guess"));
                assertFalse(wrong.succeeded(), mode + ": played with a wrong password");
                assertTrue(wrong.stderr().contains("401"), mode + ": " + wrong.describe());
                ExternalCommand.Result right = play(withUser.formatted("s3cret%20pass"));
                assertTrue(right.succeeded(), mode + ": " + right.describe());
                String challenge = RestreamTest.exchange(producer.rtspServer().port(),
                        "DESCRIBE " + url + " RTSP/1.0\r\nCSeq: 1\r\n\r\n");
                assertTrue(challenge.startsWith("RTSP/1.0 401") && challenge.contains("WWW-Authenticate: "
                        + (mode.equals("digest") ? "Digest realm=\"Virta\"" : "Basic realm=\"Virta\"")), challenge);
            }
        }
    }

    private static ExternalCommand.Result play(String url) {
        return ExternalCommand.run(Duration.ofSeconds(30), ExternalCommand.FFMPEG, "-nostdin", "-v", "error",
                "-rtsp_transport", "tcp", "-i", url, "-frames:v", "5", "-f", "null", "-");
    }
}

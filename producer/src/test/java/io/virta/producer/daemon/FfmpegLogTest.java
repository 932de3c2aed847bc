package io.virta.producer.daemon;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** The cut that FFmpeg's own log lines get when VIRTA_FFMPEG_LOG turns them up. */
class FfmpegLogTest {
    private static final String HOSTILE = " \"'@:/%#?&\\+\tä漢😀abcXYZ019";

    @Test
    void linesWithoutUrlsOrCredentialsStayAsTheyAre() {
        assertEquals("[h264 @ 0x55d0] concealing 12 DC errors\n",
                FfmpegLog.withoutCredentials("[h264 @ 0x55d0] concealing 12 DC errors\n"));
        assertEquals("Opening 'http://127.0.0.1:8080/live.ts' for reading\n",
                FfmpegLog.withoutCredentials("Opening 'http://127.0.0.1:8080/live.ts' for reading\n"));
    }

    @Test
    void noRandomPasswordSurvivesHoweverFfmpegQuotesIt() {
        SplittableRandom random = new SplittableRandom(13);
        for (int round = 0; round < 2000; round++) {
            StringBuilder password = new StringBuilder();
            int length = 1 + random.nextInt(24);
            for (int i = 0; i < length; i++) {
                password.appendCodePoint(HOSTILE.codePointAt(HOSTILE.offsetByCodePoints(0,
                        random.nextInt(HOSTILE.codePointCount(0, HOSTILE.length())))));
            }
            String secret = "S3cr" + password + "t";
            String[] lines = {
                    "[http @ 0x5] Opening 'http://user:" + secret + "@127.0.0.1:9/live.ts' for reading\n",
                    "[tcp @ 0x7] Starting connection attempt to http://user:" + secret + "@10.0.0.1 port 80\n",
                    "rtsp://u:" + secret + "@cam/x: Connection refused\n"};
            for (String line : lines) {
                String shown = FfmpegLog.withoutCredentials(line);
                assertFalse(shown.contains("S3cr"), "round " + round + ": " + shown);
            }
        }
    }
}

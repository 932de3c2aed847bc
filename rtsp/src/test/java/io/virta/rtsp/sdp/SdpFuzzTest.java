package io.virta.rtsp.sdp;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Seeded random mutations of real descriptions: each must parse or fail with an
 * {@link SdpException}, and so must resolving its controls; nothing else may escape.
 */
class SdpFuzzTest {
    private static final List<String> SEEDS = List.of(
            SessionDescriptionTest.GSTREAMER_H264, SessionDescriptionTest.GSTREAMER_H265,
            SessionDescriptionTest.FFMPEG_MULTICAST_H264, SessionDescriptionTest.FFMPEG_MULTICAST_H265_IPV6,
            SessionDescriptionTest.HIKVISION_STYLE, SessionDescriptionTest.AXIS_STYLE);
    private static final String INTERESTING = "=:/;, \t\r\n0123456789aZ*%+?#-.\u0000\u00ff\u20ac";

    @Test
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void mutatedDescriptionsParseOrFailCleanly() {
        SplittableRandom random = new SplittableRandom(0x5D9_2026L);
        URI request = URI.create("rtsp://cam.example:554/live?ch=1");
        int parsed = 0;
        int refused = 0;
        for (int iteration = 0; iteration < 4000; iteration++) {
            String original = SEEDS.get(iteration % SEEDS.size());
            String mutated = mutate(original, random);
            try {
                SessionDescription sdp = SessionDescription.parse(mutated, "fuzz");
                parsed++;
                sdp.toString();
                sdp.resolveAggregateControl(request, null);
                for (MediaDescription media : sdp.media()) {
                    media.toString();
                    media.parameterSets();
                    media.payloadTypes();
                    try {
                        sdp.resolveControl(media, request, iteration % 2 == 0 ? null : "rtsp://cam.example/x/");
                    } catch (SdpException expected) {
                        // a control that makes no URL is a clean failure
                    }
                }
            } catch (SdpException expected) {
                refused++; // clean failure
            } catch (RuntimeException | Error unexpected) {
                fail("iteration " + iteration + " threw " + unexpected + " for:\n" + mutated, unexpected);
            }
        }
        assertTrue(parsed > 500 && refused > 500, "both paths exercised: " + parsed + " parsed, " + refused + " refused");
    }

    static String mutate(String text, SplittableRandom random) {
        StringBuilder out = new StringBuilder(text);
        int mutations = 1 + random.nextInt(4);
        for (int m = 0; m < mutations && !out.isEmpty(); m++) {
            int at = random.nextInt(out.length());
            switch (random.nextInt(6)) {
                case 0 -> out.setCharAt(at, INTERESTING.charAt(random.nextInt(INTERESTING.length())));
                case 1 -> out.setCharAt(at, (char) random.nextInt(0x10000));
                case 2 -> out.delete(at, Math.min(out.length(), at + 1 + random.nextInt(20)));
                case 3 -> out.insert(at, INTERESTING.charAt(random.nextInt(INTERESTING.length())));
                case 4 -> {
                    int from = random.nextInt(out.length());
                    int to = Math.min(out.length(), from + random.nextInt(80));
                    out.insert(at, out.substring(from, to));
                }
                default -> out.setLength(at);
            }
        }
        return out.toString();
    }
}

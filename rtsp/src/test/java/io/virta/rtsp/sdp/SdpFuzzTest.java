package io.virta.rtsp.sdp;

import io.virta.testkit.FuzzCorpus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Seeded random mutations of real descriptions: each must parse or fail with an
 * {@link SdpException}, and so must resolving its controls; nothing else may escape. The persisted
 * corpus (src/test/resources/fuzz/SdpFuzzTest) goes first.
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
        Tally corpus = new Tally();
        for (FuzzCorpus.Case input : FuzzCorpus.of(SdpFuzzTest.class)) {
            parseOrRefuse(input.text(), request, "corpus case " + input.name(), false, corpus);
            parseOrRefuse(input.text(), request, "corpus case " + input.name(), true, corpus);
        }
        Tally tally = new Tally();
        for (int iteration = 0; iteration < 4000; iteration++) {
            String original = SEEDS.get(iteration % SEEDS.size());
            String mutated = mutate(original, random);
            parseOrRefuse(mutated, request, "iteration " + iteration, iteration % 2 != 0, tally);
        }
        int parsed = tally.parsed;
        int refused = tally.refused;
        assertTrue(parsed > 500 && refused > 500, "both paths exercised: " + parsed + " parsed, " + refused + " refused");
    }

    /** Descriptions that parsed, and clean refusals (one description can count as both). */
    private static final class Tally {
        int parsed;
        int refused;
    }

    /**
     * Parses {@code text} and resolves its controls, counting into {@code tally}; anything but an
     * {@link SdpException} fails the test.
     */
    private static void parseOrRefuse(String text, URI request, String label, boolean withContentBase, Tally tally) {
        try {
            SessionDescription sdp = SessionDescription.parse(text, "fuzz");
            tally.parsed++;
            sdp.toString();
            sdp.resolveAggregateControl(request, null);
            for (MediaDescription media : sdp.media()) {
                media.toString();
                media.parameterSets();
                media.payloadTypes();
                try {
                    sdp.resolveControl(media, request, withContentBase ? "rtsp://cam.example/x/" : null);
                } catch (SdpException expected) {
                    // a control that makes no URL is a clean failure
                }
            }
        } catch (SdpException expected) {
            tally.refused++; // clean failure
        } catch (RuntimeException | Error unexpected) {
            fail(label + " threw " + unexpected + " for:\n" + text, unexpected);
        }
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

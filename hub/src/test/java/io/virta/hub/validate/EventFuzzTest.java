package io.virta.hub.validate;

import com.google.protobuf.InvalidProtocolBufferException;
import io.virta.protos.events.v1.BoundingBox;
import io.virta.protos.events.v1.Event;
import io.virta.protos.events.v1.ReportRequest;
import io.virta.testkit.FuzzCorpus;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a network peer can send: random bytes and mutations of real reports go through protobuf parsing
 * and validation. Either parsing refuses them (InvalidProtocolBufferException) or validation returns
 * null or a reason; nothing else may come out. The persisted corpus (src/test/resources/fuzz/EventFuzzTest)
 * goes first.
 */
class EventFuzzTest {
    private static final long NOW = 1_795_860_000_000_000L;
    private static final int ROUNDS = 200_000;

    @Test
    void randomAndMutatedReportsParseAndValidateCleanly() {
        EventValidator validators[] = {new EventValidator(CameraDirectory.anyValidName(), () -> NOW),
                new EventValidator(CameraDirectory.of(List.of("lobby")), () -> NOW)};
        for (FuzzCorpus.Case input : FuzzCorpus.of(EventFuzzTest.class)) {
            parseAndValidate(input.bytes(), validators);
        }
        byte[][] seeds = seeds();
        SplittableRandom random = new SplittableRandom(20261124);
        int parsed = 0;
        int valid = 0;
        for (int round = 0; round < ROUNDS; round++) {
            byte[] bytes = round % 10 == 0 ? randomBytes(random) : mutate(seeds[random.nextInt(seeds.length)], random);
            int validEvents = parseAndValidate(bytes, validators);
            if (validEvents == REFUSED_BY_PARSING) {
                continue;
            }
            parsed++;
            valid += validEvents;
        }
        assertTrue(parsed > ROUNDS / 10, "mutations also reach validation: " + parsed);
        assertTrue(valid > 0, "some mutations stay valid: " + valid);
    }

    private static final int REFUSED_BY_PARSING = -1;

    /**
     * Parses {@code bytes} as a report and checks its events with each validator, as the hub's intake
     * does: returns how many checks passed, or {@link #REFUSED_BY_PARSING}. A reason must name its event.
     */
    private static int parseAndValidate(byte[] bytes, EventValidator[] validators) {
        ReportRequest request;
        try {
            request = ReportRequest.parseFrom(bytes);
        } catch (InvalidProtocolBufferException refused) {
            return REFUSED_BY_PARSING;
        }
        int valid = 0;
        for (int i = 0; i < request.getEventsCount(); i++) {
            for (EventValidator validator : validators) {
                String reason = validator.check(request.getEvents(i), i);
                if (reason == null) {
                    valid++;
                } else {
                    assertTrue(reason.startsWith("events[" + i + "]."), reason);
                }
            }
        }
        return valid;
    }

    private static byte[][] seeds() {
        BoundingBox box = BoundingBox.newBuilder().setX(0.1f).setY(0.1f).setWidth(0.5f).setHeight(0.5f)
                .setLabel("motion").setScore(0.4f).build();
        Event event = Event.newBuilder().setType("motion").setCamera("lobby").setCaptureTimeMicros(NOW - 1000)
                .addBoxes(box).addBoxes(box).putAttributes("moving_fraction", "0.03").setSource("motion").build();
        return new byte[][] {
            ReportRequest.newBuilder().addEvents(event).build().toByteArray(),
            ReportRequest.newBuilder().addEvents(event).addEvents(event.toBuilder().clearBoxes()).build().toByteArray(),
            ReportRequest.newBuilder().addEvents(Event.newBuilder().setType("a").setCamera("b").setCaptureTimeMicros(1))
                    .build().toByteArray(),
        };
    }

    private static byte[] randomBytes(SplittableRandom random) {
        byte[] bytes = new byte[random.nextInt(200)];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) random.nextInt(256);
        }
        return bytes;
    }

    private static byte[] mutate(byte[] seed, SplittableRandom random) {
        byte[] bytes = seed.clone();
        int mutations = 1 + random.nextInt(4);
        for (int m = 0; m < mutations; m++) {
            switch (random.nextInt(5)) {
                case 0 -> bytes[random.nextInt(bytes.length)] ^= (byte) (1 << random.nextInt(8));
                case 1 -> bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
                case 2 -> bytes = java.util.Arrays.copyOf(bytes, random.nextInt(bytes.length) + 1);
                case 3 -> {
                    // A float field's four bytes become NaN, infinity or a huge value.
                    int at = random.nextInt(Math.max(1, bytes.length - 4));
                    int bits = new int[] {0x7fc00000, 0x7f800000, 0xff800000, 0x4f000000, 0x80000001}[random.nextInt(5)];
                    for (int k = 0; k < 4 && at + k < bytes.length; k++) {
                        bytes[at + k] = (byte) (bits >>> (8 * k));
                    }
                }
                default -> {
                    byte[] longer = new byte[bytes.length * 2];
                    System.arraycopy(bytes, 0, longer, 0, bytes.length);
                    System.arraycopy(bytes, 0, longer, bytes.length, bytes.length);
                    bytes = longer;
                }
            }
            if (bytes.length == 0) {
                bytes = new byte[] {0};
            }
        }
        return bytes;
    }
}

package io.virta.producer.config;

import io.virta.bus.layout.ChannelLayout;
import io.virta.bus.layout.ReaderSlotDescriptor;
import io.virta.recorder.store.SegmentPolicy;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@code recording:} section and a camera's {@code record:} block (docs/recording.md). */
class RecordingConfigTest {
    private static final String CAMERA = "cameras:\n  - name: lobby\n    url: rtsp://10.0.0.5/stream1\n";

    private static ProducerConfig parse(String yaml) throws ConfigException {
        return ProducerConfig.parse(yaml, "cams.yaml");
    }

    private static String error(String yaml) {
        return assertThrows(ConfigException.class, () -> parse(yaml)).getMessage();
    }

    @Test
    void aStoreAndEnabledAreAllItTakes() throws Exception {
        ProducerConfig config = parse("recording: { store: /srv/virta }\n" + CAMERA + "    record: { enabled: true }\n");
        assertEquals(List.of(Path.of("/srv/virta")), config.recording().stores());
        assertEquals(SegmentPolicy.DEFAULT, config.recording().policy(), "64 MiB, 60 s, sync 1 s");
        CameraConfig.RecordConfig record = config.cameras().getFirst().record();
        assertTrue(record.enabled());
        assertEquals(Path.of("/srv/virta"), record.store());
        assertEquals(Duration.ofSeconds(10), record.buffer());
    }

    @Test
    void everySettingIsRead() throws Exception {
        ProducerConfig config = parse("""
                recording:
                  stores: [/mnt/disk1/virta, /mnt/disk2/virta]
                  syncSeconds: 0.5
                  segmentSeconds: 30
                  segmentBytes: 16MiB
                """ + CAMERA + "    record: { enabled: true, store: /mnt/disk2/virta/, bufferSeconds: 4.5 }\n");
        SegmentPolicy policy = config.recording().policy();
        assertEquals(16L << 20, policy.segmentBytes());
        assertEquals(Duration.ofSeconds(30), policy.segmentTime());
        assertEquals(Duration.ofMillis(500), policy.sync());
        CameraConfig.RecordConfig record = config.cameras().getFirst().record();
        assertEquals(Path.of("/mnt/disk2/virta"), record.store(), "the store as the section lists it");
        assertEquals(Duration.ofMillis(4500), record.buffer());
    }

    @Test
    void retentionOfTheStoreAndOfACameraIsRead() throws Exception {
        ProducerConfig config = parse("""
                recording:
                  store: /srv/virta
                  retention:
                    maxBytes: 2GiB
                    keepFree: 512MiB
                    maxAge: 30d
                    minAge: 36h
                    events: [{ label: person, pre: 10, post: 20, keep: 2w }, { label: car }]
                """ + CAMERA + "    record: { enabled: true, retention: { maxBytes: 1GiB, maxAge: 7d,"
                + " events: [{ label: dog, keep: 90m }] } }\n");
        var retention = config.recording().retention();
        assertEquals(2L << 30, retention.maxBytes());
        assertEquals(512L << 20, retention.keepFree());
        assertEquals(Duration.ofDays(30), retention.maxAge());
        assertEquals(Duration.ofHours(36), retention.minAge());
        assertEquals(List.of(new io.virta.recorder.retention.EventRule("person", Duration.ofSeconds(10),
                Duration.ofSeconds(20), Duration.ofDays(14)), io.virta.recorder.retention.EventRule.of("car")),
                retention.events());
        var own = config.cameras().getFirst().record().retention();
        assertEquals(1L << 30, own.maxBytes());
        assertEquals(java.util.Optional.of(Duration.ofDays(7)), own.maxAge());
        assertEquals(java.util.Optional.empty(), own.minAge(), "the store's applies");
        assertEquals(Duration.ofMinutes(90), own.events().getFirst().keep());
    }

    @Test
    void aCameraIsNotRecordedUnlessEnabled() throws Exception {
        ProducerConfig config = parse("recording: { store: /srv/virta }\n" + CAMERA + "  - name: yard\n"
                + "    url: rtsp://10.0.0.6/s\n    record: { bufferSeconds: 30 }\n");
        for (CameraConfig camera : config.cameras()) {
            assertFalse(camera.record().enabled(), camera.name());
            assertEquals(64, camera.encoded().cells(), "an unrecorded camera keeps the default ring");
        }
        assertFalse(parse(CAMERA).recording().enabled(), "no recording: section, no stores");
    }

    @Test
    void aRecordedCameraGetsARingOfBufferSeconds() throws Exception {
        CameraConfig byDefault = parse("recording: { store: /s }\n" + CAMERA + "    record: { enabled: true }\n")
                .cameras().getFirst();
        assertEquals(300, byDefault.encoded().cells(), "10 s at 30 fps");
        assertEquals(2L << 20, byDefault.encoded().capacityBytes(), "cells of the default size hold 8 Mbit/s already");

        CameraConfig small = parse("recording: { store: /s }\n" + CAMERA
                + "    encoded: { cells: 16, capacity: 4KiB }\n    record: { enabled: true, bufferSeconds: 20 }\n")
                .cameras().getFirst();
        assertEquals(600, small.encoded().cells());
        assertTrue(small.encoded().cells() * small.encoded().capacityBytes() >= 20 * 8_000_000L / 8,
                "the ring holds 20 s of 8 Mbit/s: " + small.encoded());

        CameraConfig larger = parse("recording: { store: /s }\n" + CAMERA
                + "    encoded: { cells: 1000, capacity: 4MiB }\n    record: { enabled: true }\n").cameras().getFirst();
        assertEquals(new CameraConfig.EncodedChannelConfig(1000, 4L << 20), larger.encoded(), "a larger ring is kept");
    }

    @Test
    void theShmBudgetCountsTheRecordingRing() throws Exception {
        CameraConfig camera = parse("recording: { store: /s }\n" + CAMERA + "    decode: false\n"
                + "    record: { enabled: true }\n").cameras().getFirst();
        ShmBudget.Ring ring = ShmBudget.rings(camera).getFirst();
        assertEquals(ChannelLayout.compute(300, ReaderSlotDescriptor.DEFAULT_SLOTS, 2L << 20).totalSize(), ring.bytes());
        String refused = assertThrows(ConfigException.class, () -> ShmBudget.checkAll(List.of(camera),
                new ShmBudget.Space(100L << 20, 1L << 30), "cams.yaml")).getMessage();
        assertTrue(refused.contains("lobby.h264") && refused.contains("encoded, sized for record.bufferSeconds 10.0 s: 300 cells of 2.0 MiB"), refused);
    }

    @Test
    void recordWithoutAStoreIsRefusedWithAHint() {
        assertEquals("cams.yaml: cameras[0].record.enabled: is true, but there is no recording store to record into;"
                        + " add one at the top level of the configuration, e.g. recording: { store:"
                        + " /var/lib/virta/recordings } (docs/recording.md)",
                error(CAMERA + "    record: { enabled: true }\n"));
    }

    @Test
    void mistakesAreNamed() {
        assertTrue(error("recording: { store: /s, syncSecond: 2 }\n" + CAMERA).startsWith(
                "cams.yaml: recording.syncSecond: unknown setting; known here: store, stores, syncSeconds,"), "typo");
        assertTrue(error("recording: { store: /s, syncSecond: 2 }\n" + CAMERA).endsWith("did you mean 'syncSeconds'?"));
        assertTrue(error("recording: { store: /s }\n" + CAMERA + "    record: { enable: true }\n")
                .contains("cameras[0].record.enable: unknown setting; known here: enabled, store, bufferSeconds, retention;"
                        + " did you mean 'enabled'?"));
        assertTrue(error("recording: { store: /s, retention: { maxAg: 7d } }\n" + CAMERA)
                .endsWith("recording.retention.maxAg: unknown setting; known here: maxBytes, keepFree, maxAge, minAge,"
                        + " events; did you mean 'maxAge'?"), "retention typo");
        assertTrue(error("recording: { store: /s, retention: { maxAge: 7 days } }\n" + CAMERA)
                .contains("recording.retention.maxAge: '7 days' is not an age; write a number and a unit: 90s, 45m,"
                        + " 12h, 30d or 2w"), "an age without its unit's letter");
        assertTrue(error("recording: { store: /s, retention: { maxAge: 1d, minAge: 2d } }\n" + CAMERA)
                .contains("recording.retention.minAge: is longer than maxAge"), "minAge over maxAge");
        assertTrue(error("recording: { store: /a, stores: [/b] }\n" + CAMERA)
                .contains("recording.stores: give either store: DIR or stores: [DIR, ...], not both"));
        assertTrue(error("recording: { stores: [/a, /a/] }\n" + CAMERA).contains("recording.stores[1]: '/a' is listed twice"));
        assertTrue(error("recording: { syncSeconds: 1 }\n" + CAMERA).contains("recording: names no store"));
        assertTrue(error("recording: { store: /a }\n" + CAMERA + "    record: { enabled: true, store: /b }\n")
                .contains("cameras[0].record.store: '/b' is not one of the recording stores [/a]"));
        assertTrue(error("recording: { store: /a }\n" + CAMERA + "    record: { enabled: true, bufferSeconds: 500 }\n")
                .contains("cameras[0].record.bufferSeconds"));
        assertTrue(error("recording: { store: /a, segmentBytes: 1KiB }\n" + CAMERA).contains("recording.segmentBytes"));
    }
}

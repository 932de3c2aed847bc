package io.virta.producer.ingest;

import io.virta.bus.ChannelReader;
import io.virta.bus.Frame;
import io.virta.bus.PullStatus;
import io.virta.producer.status.CameraStatus;
import io.virta.testkit.GstRtspServer;
import io.virta.testkit.NetworkLab;
import io.virta.testkit.TestClips;
import io.virta.testkit.TestNetwork;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Video keeps flowing under packet loss. The camera (gst-rtsp-server, 720p25, a keyframe a second) runs in
 * a network namespace whose link drops 3 % of its UDP packets at random (an eBPF classifier, since this
 * kernel has no netem); the producer plays it over UDP. With {@code onLoss: conceal} (the default) nearly
 * every frame reaches the decoded channel, and those made from damaged data, up to the next whole
 * keyframe, are flagged DAMAGED; with {@code drop}, only exact units get through, and most are dropped.
 * A clean link flags nothing.
 *
 * <p>Frames sent are counted from capture times: with {@code timestamps: camera} they are the camera's RTP
 * times mapped through its RTCP sender reports, 40 ms a frame, so the span between the first and last
 * frame read says how many the camera sent. The first {@link #FRAMES_SKIPPED} frames are not counted:
 * until the first sender report, capture times are arrival times.
 */
class PacketLossTest {
    private static final int FRAMES_SKIPPED = 100;
    private static final int FRAMES_READ = 150;
    private static final long FRAME_MICROS = 40_000;

    /** What the decoded channel showed over {@link #FRAMES_READ} frames. */
    private record Run(long framesRead, long framesSent, long damaged, long damagedKeyframes, long cleanAfterDamage,
            CameraStatus.Stats stats) {
        double delivered() {
            return (double) framesRead / framesSent;
        }
    }

    @Test
    void atThreePercentLossConcealedFramesArriveFlaggedDamaged() throws Exception {
        try (NetworkLab net = TestNetwork.create("loss")) {
            NetworkLab.Namespace camera = net.addNamespace();
            TestNetwork.randomUdpLoss(net, camera, 30);
            try (GstRtspServer server = GstRtspServer.builder().inNamespace(camera)
                    .mount("/cam", TestClips.h264Baseline720p()).start()) {
                Run conceal = play(server.url("/cam"), "");
                assertTrue(conceal.stats().packetsLost() > 0, "the link lost packets: " + conceal);
                assertTrue(conceal.delivered() >= 0.85, "at 3 % loss most frames arrive: " + conceal);
                assertTrue(conceal.damaged() > 0, "frames made from damaged data are flagged: " + conceal);
                assertTrue(conceal.cleanAfterDamage() > 0, "a whole keyframe ends the damage: " + conceal);
                assertTrue(conceal.stats().unitsDamaged() > 0, "the status counts damaged units: " + conceal);

                CameraStatus.Stats drop = playDropping(server.url("/cam"));
                System.out.printf("3 %% loss: conceal %s%n          drop    %s%n", conceal, drop);
                assertEquals(0, drop.unitsDamaged(), "drop passes on exact units only: " + drop);
                assertTrue(drop.unitsDropped() > drop.unitsReceived(), "drop loses most of the video: " + drop);
            }
            assertTrue(NetworkLab.droppedUdpPackets(camera) > 0, "the classifier dropped packets");
        }
    }

    @Test
    void autoTransportSwitchesToTcpWhenUdpKeepsLosingAndSaysWhy() throws Exception {
        try (NetworkLab net = TestNetwork.create("auto")) {
            NetworkLab.Namespace camera = net.addNamespace();
            TestNetwork.randomUdpLoss(net, camera, 30);
            try (GstRtspServer server = GstRtspServer.builder().inNamespace(camera)
                    .mount("/cam", TestClips.h264Baseline720p()).start();
                 IngestHarness harness = new IngestHarness("url: " + server.url("/cam") + "\ntransport: auto\n"
                         + "rgb: { enabled: false }\n")) {
                harness.awaitEvent("online udp", Duration.ofSeconds(20));
                String offline = harness.awaitEvent("offline", Duration.ofSeconds(40));
                assertTrue(offline.contains("lost over UDP") && offline.contains("switching to TCP"), offline);
                harness.awaitEvent("online tcp", Duration.ofSeconds(20));
                CameraStatus status = harness.producer.status(harness.camera);
                assertTrue(status.lastError().contains("switching to TCP"), status.lastError());
                assertEquals(io.virta.rtsp.client.RtspTransport.TCP, status.activeTransport());
            }
        }
    }

    @Test
    void aCleanLinkFlagsNothing() throws Exception {
        try (NetworkLab net = TestNetwork.create("clean")) {
            NetworkLab.Namespace camera = net.addNamespace();
            try (GstRtspServer server = GstRtspServer.builder().inNamespace(camera)
                    .mount("/cam", TestClips.h264Baseline720p()).start()) {
                Run clean = play(server.url("/cam"), "");
                assertEquals(0, clean.damaged(), "no damaged frame on a clean link: " + clean);
                assertEquals(0, clean.stats().unitsDamaged(), clean.toString());
                assertEquals(clean.framesSent(), clean.framesRead(), "every frame arrives: " + clean);
            }
        }
    }

    /** Plays the camera over UDP with {@code onLoss: drop} until 150 units arrived whole or were dropped. */
    private static CameraStatus.Stats playDropping(String url) throws Exception {
        try (IngestHarness harness = new IngestHarness("url: " + url + "\ntransport: udp\nonLoss: drop\n"
                + "decode: false\n")) {
            long giveUp = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            CameraStatus.Stats stats = harness.producer.status(harness.camera).stats();
            while (stats.unitsReceived() + stats.unitsDropped() < 150) {
                assertTrue(System.nanoTime() < giveUp, "150 units within 60 s: " + stats + "; " + harness.events);
                Thread.sleep(50);
                stats = harness.producer.status(harness.camera).stats();
            }
            return stats;
        }
    }

    /** Plays the camera over UDP and reads {@link #FRAMES_READ} frames of its decoded channel. */
    private static Run play(String url, String extraYaml) throws Exception {
        try (IngestHarness harness = new IngestHarness("url: " + url + "\ntransport: udp\ntimestamps: camera\n"
                + "rgb: { enabled: false }\n"
                + extraYaml)) {
            harness.awaitEvent("online udp", Duration.ofSeconds(20));
            long first = 0;
            long last = 0;
            long read = 0;
            long damaged = 0;
            long damagedKeyframes = 0;
            long cleanAfterDamage = 0;
            boolean sawDamage = false;
            try (ChannelReader reader = ChannelReader.builder(harness.camera + ".yuv").awaitWriter(Duration.ofSeconds(20))
                    .start(ChannelReader.Start.NEXT).open()) {
                for (int skipped = 0; skipped < FRAMES_SKIPPED; skipped++) {
                    assertTrue(reader.pull(Duration.ofSeconds(20)) == PullStatus.FRAME, "frames: " + harness.events);
                }
                while (read < FRAMES_READ) {
                    PullStatus status = reader.pull(Duration.ofSeconds(20));
                    assertTrue(status == PullStatus.FRAME, "expected frames, got " + status + "; events "
                            + harness.events);
                    Frame frame = reader.frame();
                    long capture = frame.captureTimeMicros();
                    first = read == 0 ? capture : first;
                    last = capture;
                    read++;
                    if (frame.isDamaged()) {
                        damaged++;
                        sawDamage = true;
                        damagedKeyframes += frame.isKeyframe() ? 1 : 0;
                    } else if (sawDamage) {
                        cleanAfterDamage++;
                    }
                }
            }
            long sent = Math.round((last - first) / (double) FRAME_MICROS) + 1;
            return new Run(read, sent, damaged, damagedKeyframes, cleanAfterDamage,
                    harness.producer.status(harness.camera).stats());
        }
    }
}

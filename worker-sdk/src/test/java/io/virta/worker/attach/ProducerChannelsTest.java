package io.virta.worker.attach;

import io.virta.grpc.GrpcTarget;

import io.virta.bus.ChannelSpec;
import io.virta.bus.ChannelType;
import io.virta.bus.ChannelWriter;
import io.virta.worker.FrameSource;
import io.virta.worker.FrameStream;
import io.virta.worker.TestChannels;
import io.virta.worker.WorkerFrame;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.ServerSocket;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Attaching by camera name through GetChannels, against a real gRPC peer and real bus channels. */
@Timeout(60)
class ProducerChannelsTest extends TestChannels {
    @Test
    void choosesTheRgbChannelByDefaultAndOthersOnRequest() throws Exception {
        try (StandInProducerControl control = new StandInProducerControl()) {
            control.addCamera("lobby", "lobby", 640, 360);
            ProducerChannels lookup = new ProducerChannels(GrpcTarget.parse(control.target(), "--control"));
            assertEquals("lobby.rgb", lookup.find("lobby", ChannelType.RGB24, Duration.ZERO).getName());
            assertEquals("lobby.yuv", lookup.find("lobby", ChannelType.YUV420P, Duration.ZERO).getName());
            assertEquals("lobby.h264", lookup.find("lobby", ChannelType.ENCODED, Duration.ZERO).getName());
        }
    }

    @Test
    void attachesToTheCamerasChannelOnTheBus() throws Exception {
        String prefix = channelName("cam");
        try (StandInProducerControl control = new StandInProducerControl();
             ChannelWriter writer = ChannelWriter.create(ChannelSpec.rgb24(prefix + ".rgb", 32, 16))) {
            control.addCamera("door", prefix, 32, 16);
            try (FrameStream stream = FrameSource.camera("door").control(control.target()).open()) {
                assertEquals(prefix + ".rgb", stream.channel());
                assertEquals("door", stream.camera());
                writeGradient(writer, 32, 16);
                WorkerFrame frame = stream.next(Duration.ofSeconds(5));
                assertNotNull(frame);
                assertEquals(32, frame.mat().cols());
            }
        } finally {
            java.nio.file.Files.deleteIfExists(java.nio.file.Path.of("/dev/shm/virta." + prefix + ".rgb"));
        }
    }

    @Test
    void whenTheCamerasChannelComesBackUnderAnotherNameTheStreamFollows() throws Exception {
        String first = channelName("old");
        String second = channelName("new");
        try (StandInProducerControl control = new StandInProducerControl()) {
            control.addCamera("door", first, 16, 16);
            ChannelWriter old = ChannelWriter.create(ChannelSpec.rgb24(first + ".rgb", 16, 16));
            try (FrameStream stream = FrameSource.camera("door").control(control.target())
                    .reresolveAfter(Duration.ofMillis(200)).open()) {
                writeGradient(old, 16, 16);
                assertNotNull(stream.next(Duration.ofSeconds(5)));
                old.close();
                control.addCamera("door", second, 16, 16);
                try (ChannelWriter replacement = ChannelWriter.create(ChannelSpec.rgb24(second + ".rgb", 16, 16))) {
                    WorkerFrame frame = null;
                    long giveUp = System.nanoTime() + 10_000_000_000L;
                    while (frame == null && System.nanoTime() < giveUp) {
                        writeGradient(replacement, 16, 16);
                        frame = stream.next(Duration.ofMillis(100));
                    }
                    assertNotNull(frame, "frames of the camera's new channel");
                    assertEquals(second + ".rgb", stream.channel());
                    assertEquals(1, stream.reattaches());
                    assertEquals(16, frame.mat().cols());
                }
            } finally {
                old.close();
                java.nio.file.Files.deleteIfExists(java.nio.file.Path.of("/dev/shm/virta." + first + ".rgb"));
                java.nio.file.Files.deleteIfExists(java.nio.file.Path.of("/dev/shm/virta." + second + ".rgb"));
            }
        }
    }

    @Test
    void anUnknownCameraIsNotFound() throws Exception {
        try (StandInProducerControl control = new StandInProducerControl()) {
            AttachException e = assertThrows(AttachException.class,
                    () -> FrameSource.camera("nosuch").control(control.target()).open());
            assertTrue(e.getMessage().contains("camera 'nosuch' is not known to the producer at " + control.target()),
                    e.getMessage());
        }
    }

    @Test
    void aCameraWithoutChannelsIsAskedAgainThenReported() throws Exception {
        try (StandInProducerControl control = new StandInProducerControl()) {
            control.addCameraWithoutChannels("late");
            ProducerChannels lookup = new ProducerChannels(GrpcTarget.parse(control.target(), "--control"));
            AttachException e = assertThrows(AttachException.class,
                    () -> lookup.find("late", ChannelType.RGB24, Duration.ofMillis(600)));
            assertTrue(e.getMessage().contains("camera 'late' has no channels yet"), e.getMessage());
            // Channels that appear while it waits are found.
            Thread.ofPlatform().start(() -> {
                try {
                    Thread.sleep(400);
                } catch (InterruptedException ignored) {
                    return;
                }
                control.addCamera("late", "late", 64, 36);
            });
            assertEquals("late.rgb", lookup.find("late", ChannelType.RGB24, Duration.ofSeconds(10)).getName());
        }
    }

    @Test
    void anUnreachableProducerNamesItsAddressAndTheWayOut() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String target = "127.0.0.1:" + port;
        AttachException e = assertThrows(AttachException.class, () -> FrameSource.camera("lobby").control(target).open());
        assertTrue(e.getMessage().contains("cannot reach the producer's control API at " + target), e.getMessage());
        assertTrue(e.getMessage().contains("start the producer"), e.getMessage());
        assertTrue(e.getMessage().contains("--channel"), e.getMessage());
    }

    @Test
    void aCameraWithoutTheWantedChannelSaysWhatItHas() throws Exception {
        try (StandInProducerControl control = new StandInProducerControl()) {
            control.addCamera("cam", "cam", 64, 36);
            ProducerChannels lookup = new ProducerChannels(GrpcTarget.parse(control.target(), "--control"));
            AttachException e = assertThrows(AttachException.class,
                    () -> lookup.find("cam", ChannelType.RAW, Duration.ZERO));
            assertTrue(e.getMessage().contains("RAW"), e.getMessage());
        }
    }

    @Test
    void badAddressesNameTheOption() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GrpcTarget.parse("localhost", "--control"));
        assertTrue(e.getMessage().startsWith("--control: 'localhost' is not HOST:PORT"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GrpcTarget.parse("h:70000", "--hub"));
        assertTrue(e.getMessage().contains("--hub") && e.getMessage().contains("70000"), e.getMessage());
        assertEquals("[::1]:5", GrpcTarget.parse("[::1]:5", "--hub").target());
    }
}

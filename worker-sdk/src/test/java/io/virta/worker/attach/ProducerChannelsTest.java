package io.virta.worker.attach;

import io.virta.grpc.GrpcTarget;

import io.virta.bus.ChannelType;
import io.virta.worker.FrameSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.ServerSocket;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Attaching by camera name through GetChannels, against a real gRPC peer and real bus channels. */
@Timeout(60)
class ProducerChannelsTest {
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

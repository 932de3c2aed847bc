package io.virta.producer.source.sdp;

import io.netty.channel.EventLoop;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.virta.producer.config.TimestampMode;
import io.virta.producer.source.StreamEvents;
import io.virta.producer.ingest.VideoTrackReceiver;
import io.virta.rtsp.media.AccessUnit;
import io.virta.rtsp.media.AccessUnitListener;
import io.virta.rtsp.media.VideoCodec;
import io.virta.rtsp.rtp.AnnexB;
import io.virta.testkit.ExternalCommand;
import io.virta.testkit.FfmpegReference;
import io.virta.testkit.FfmpegRtpSender;
import io.virta.testkit.TestClips;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@link SdpFileSource} against a real sender: Debian's ffmpeg streams a test clip as RTP to a
 * multicast group on loopback, or to 127.0.0.1, and writes the SDP file the source reads. What
 * arrives is decoded by Debian's ffmpeg again and compared frame by frame with the clip.
 */
class SdpFileSourceTest {
    private static final Duration TEN_SECONDS = Duration.ofSeconds(10);
    private static NioEventLoopGroup group;
    private static EventLoop loop;

    @TempDir
    Path dir;

    @BeforeAll
    static void startLoop() {
        group = new NioEventLoopGroup(1, new DefaultThreadFactory("sdp-source-test", true));
        loop = group.next();
    }

    @AfterAll
    static void stopLoop() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void multicastOnLoopbackDeliversTheClipFrameExactToTwoReceivers() throws Exception {
        Path clip = TestClips.h264Baseline720p();
        String groupAddress = FfmpegRtpSender.randomGroup();
        int port = FfmpegRtpSender.freePortPair();
        try (FfmpegRtpSender sender = FfmpegRtpSender.start(clip, groupAddress, port, dir.resolve("mc.sdp"));
             Camera lo = new Camera("lo-cam", sender.sdpFile(), TEN_SECONDS, "lo");
             Camera routed = new Camera("default-cam", sender.sdpFile(), TEN_SECONDS, null)) {
            lo.source.start();
            routed.source.start();
            // Two receivers of one group on one host: both must hear it (SO_REUSEADDR on both).
            await(() -> lo.units.framesFromFirstKeyframe() >= 60 && routed.units.framesFromFirstKeyframe() >= 30,
                    Duration.ofSeconds(15), () -> "units: lo " + lo.units.count() + ", default " + routed.units.count()
                            + "; events " + lo.events.seen + " / " + routed.events.seen + "; " + sender.log());
            assertTrue(lo.source.isOnline());
            assertEquals("online", lo.events.next());
            assertEquals("online", routed.events.next());
            assertEquals(0, lo.source.reconnects());
            assertEquals(null, lo.source.lastError());

            lo.source.close();
            routed.source.close();
            int afterClose = lo.units.count();
            Thread.sleep(300);
            assertEquals(afterClose, lo.units.count(), "no unit may reach the sink after close()");
            assertFalse(lo.source.isOnline());

            assertKeyframesCarryParameterSets(lo.units.snapshot(), VideoCodec.H264);
            assertFrameExact(clip, lo.units.snapshot(), dir.resolve("lo.h264"));
            assertFrameExact(clip, routed.units.snapshot(), dir.resolve("default.h264"));
            assertEquals(VideoCodec.H264, lo.receiver.codec());
            assertEquals(0, lo.receiver.packetsLost(), "loopback loses nothing");
        }
    }

    @Test
    void unicastToLoopbackAddress() throws Exception {
        Path clip = TestClips.h264Small();
        int port = FfmpegRtpSender.freePortPair();
        try (FfmpegRtpSender sender = FfmpegRtpSender.start(clip, "127.0.0.1", port, dir.resolve("uc.sdp"));
             Camera camera = new Camera("unicast-cam", sender.sdpFile(), TEN_SECONDS, null)) {
            SdpFile sdp = SdpFile.read(sender.sdpFile());
            assertFalse(sdp.multicast());
            assertEquals("127.0.0.1:" + port, sdp.where());
            camera.source.start();
            await(() -> camera.units.framesFromFirstKeyframe() >= 40, Duration.ofSeconds(10),
                    () -> "units " + camera.units.count() + ", events " + camera.events.seen + "; " + sender.log());
            camera.source.close();
            assertKeyframesCarryParameterSets(camera.units.snapshot(), VideoCodec.H264);
            assertFrameExact(clip, camera.units.snapshot(), dir.resolve("unicast.h264"));
        }
    }

    @Test
    void h265OverMulticast() throws Exception {
        Path clip = TestClips.h265();
        int port = FfmpegRtpSender.freePortPair();
        try (FfmpegRtpSender sender = FfmpegRtpSender.start(clip, FfmpegRtpSender.randomGroup(), port,
                dir.resolve("h265.sdp"));
             Camera camera = new Camera("h265-cam", sender.sdpFile(), TEN_SECONDS, "lo")) {
            camera.source.start();
            await(() -> camera.units.framesFromFirstKeyframe() >= 40, Duration.ofSeconds(10),
                    () -> "units " + camera.units.count() + ", events " + camera.events.seen + "; " + sender.log());
            camera.source.close();
            assertEquals(VideoCodec.H265, camera.receiver.codec());
            assertKeyframesCarryParameterSets(camera.units.snapshot(), VideoCodec.H265);
            assertFrameExact(clip, camera.units.snapshot(), dir.resolve("received.h265"));
        }
    }

    /**
     * GStreamer writes no SDP file, so one is written by hand as docs/producer-sdp-source.md shows,
     * without sprop-parameter-sets: the parameter sets come in-band (config-interval=1).
     */
    @Test
    void gstreamerSenderWithAHandWrittenSdpFile() throws Exception {
        String groupAddress = FfmpegRtpSender.randomGroup();
        int port = FfmpegRtpSender.freePortPair();
        Path file = writeSdp("gst.sdp", "v=0\no=- 0 0 IN IP4 127.0.0.1\ns=gst\nc=IN IP4 " + groupAddress + "/1\nt=0 0\n"
                + "m=video " + port + " RTP/AVP 96\na=rtpmap:96 H264/90000\na=fmtp:96 packetization-mode=1\n");
        Process gst = new ProcessBuilder(ExternalCommand.GST_LAUNCH, "-q", "videotestsrc", "is-live=true", "!",
                "video/x-raw,width=320,height=240,framerate=25/1", "!",
                "x264enc", "speed-preset=ultrafast", "key-int-max=25", "bframes=0", "threads=1", "!",
                "rtph264pay", "pt=96", "config-interval=1", "!",
                // Bound to 127.0.0.1, the datagrams to the group leave through loopback.
                "udpsink", "host=" + groupAddress, "port=" + port, "bind-address=127.0.0.1", "ttl-mc=1",
                "auto-multicast=false", "sync=false")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (Camera camera = new Camera("gst-cam", file, TEN_SECONDS, "lo")) {
            camera.source.start();
            await(() -> camera.units.framesFromFirstKeyframe() >= 40, Duration.ofSeconds(10),
                    () -> "units " + camera.units.count() + ", events " + camera.events.seen + ", gst alive " + gst.isAlive());
            camera.source.close();
            List<Unit> units = camera.units.snapshot();
            assertKeyframesCarryParameterSets(units, VideoCodec.H264);
            List<String> decoded = FfmpegReference.frameMd5Yuv420p(fromFirstKeyframe(units, dir.resolve("gst.h264")));
            assertEquals(camera.units.framesFromFirstKeyframe(), decoded.size(), "one decoded picture per unit");
        } finally {
            gst.destroy();
            gst.waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void goesOfflineWhenTheSenderStopsAndOnlineWhenItReturns() throws Exception {
        Path clip = TestClips.h264Small();
        String groupAddress = FfmpegRtpSender.randomGroup();
        int port = FfmpegRtpSender.freePortPair();
        Path sdpFile = dir.resolve("restart.sdp");
        FfmpegRtpSender sender = FfmpegRtpSender.start(clip, groupAddress, port, sdpFile);
        try (Camera camera = new Camera("restart-cam", sdpFile, Duration.ofSeconds(1), "lo")) {
            camera.source.start();
            assertEquals("online", camera.events.next());
            sender.close();

            String offline = camera.events.next();
            assertTrue(offline.startsWith("offline: camera restart-cam: no RTP on " + groupAddress + ":" + port), offline);
            assertTrue(offline.contains("is the sender running?"), offline);
            assertFalse(camera.source.isOnline());
            assertNotNull(camera.source.lastError());
            int before = camera.units.count();

            sender = FfmpegRtpSender.start(clip, groupAddress, port, sdpFile);
            assertEquals("online", camera.events.next());
            assertTrue(camera.source.isOnline());
            assertEquals(1, camera.source.reconnects());
            await(() -> camera.units.keyframesAfter(before) >= 1, Duration.ofSeconds(5), () -> "no keyframe after restart");
        } finally {
            sender.close();
        }
    }

    @Test
    void missingFileIsReportedAndPickedUpWhenTheSenderWritesIt() throws Exception {
        Path sdpFile = dir.resolve("later.sdp");
        int port = FfmpegRtpSender.freePortPair();
        try (Camera camera = new Camera("late-cam", sdpFile, Duration.ofSeconds(1), "lo")) {
            camera.source.start();
            String offline = camera.events.next();
            assertTrue(offline.contains("SDP file " + sdpFile + " does not exist"), offline);
            assertTrue(offline.contains("-sdp_file"), "says who writes it: " + offline);
            assertEquals(offline.substring("offline: ".length()), camera.source.lastError());

            try (FfmpegRtpSender sender = FfmpegRtpSender.start(TestClips.h264Small(), FfmpegRtpSender.randomGroup(),
                    port, sdpFile)) {
                assertEquals("online", camera.events.next(), sender.log());
                assertEquals(1, camera.source.reconnects());
            }
        }
    }

    @Test
    void fileErrorsNameTheFileAndTheField() throws Exception {
        int port = FfmpegRtpSender.freePortPair();
        assertOfflineBecause("audio.sdp", sdp(port, "m=audio " + port + " RTP/AVP 97\na=rtpmap:97 opus/48000/2\n"),
                "(m=video): no video track; the file has only m=audio");
        assertOfflineBecause("vp8.sdp", sdp(port, "m=video " + port + " RTP/AVP 97\na=rtpmap:97 VP8/90000\n"),
                "(m=video, a=rtpmap): codec VP8/90000 (payload type 97) is not supported");
        assertOfflineBecause("port0.sdp", sdp(port, "m=video 0 RTP/AVP 96\na=rtpmap:96 H264/90000\n"),
                "(m=video): port 0");
        assertOfflineBecause("srtp.sdp", sdp(port, "m=video " + port + " RTP/SAVP 96\na=rtpmap:96 H264/90000\n"),
                "(m=video): protocol RTP/SAVP is encrypted RTP (SRTP)");
        assertOfflineBecause("garbage.sdp", "this is not SDP\n", "garbage.sdp");
        Path directory = Files.createDirectory(dir.resolve("cam.sdp"));
        try (Camera camera = new Camera("dir-cam", directory, TEN_SECONDS, null)) {
            camera.source.start();
            String offline = camera.events.next();
            assertTrue(offline.contains(directory + " is a directory"), offline);
        }
    }

    @Test
    void takenPortsAreNamed() throws Exception {
        int port = FfmpegRtpSender.freePortPair();
        String h264 = "m=video " + port + " RTP/AVP 96\na=rtpmap:96 H264/90000\n";
        try (DatagramChannel squatter = DatagramChannel.open(StandardProtocolFamily.INET)) {
            squatter.bind(new InetSocketAddress(port));
            String reason = assertOfflineBecause("taken.sdp", sdp(port, h264),
                    "UDP port " + port + " (RTP, the m=video port in ");
            assertTrue(reason.contains("is already in use by another program; stop that program"), reason);
        }
        try (DatagramChannel squatter = DatagramChannel.open(StandardProtocolFamily.INET)) {
            squatter.bind(new InetSocketAddress(port + 1));
            assertOfflineBecause("rtcp-taken.sdp", sdp(port, h264),
                    "UDP port " + (port + 1) + " (RTCP, the m=video port + 1 in ");
        }
        // The RTP port must have been let go when the RTCP port failed: a third try binds both.
        assertFalse(SdpFile.read(writeSdp("free.sdp", sdp(port, h264))).multicast());
        try (Camera camera = new Camera("free-cam", dir.resolve("free.sdp"), Duration.ofSeconds(1), null)) {
            camera.source.start();
            // A port closed a moment ago may still be held until the event loop next selects: the
            // source retries soon, binds, and then waits for RTP in vain.
            await(() -> String.valueOf(camera.source.lastError()).contains("no RTP on 127.0.0.1:" + port + " for 1 s"),
                    Duration.ofSeconds(5), () -> "last error: " + camera.source.lastError());
        }
    }

    @Test
    void unknownInterfaceIsNamed() throws Exception {
        int port = FfmpegRtpSender.freePortPair();
        Path file = writeSdp("if.sdp", "v=0\no=- 0 0 IN IP4 127.0.0.1\ns=x\nc=IN IP4 239.255.1.2/1\nt=0 0\n"
                + "m=video " + port + " RTP/AVP 96\na=rtpmap:96 H264/90000\n");
        try (Camera camera = new Camera("if-cam", file, TEN_SECONDS, "nosuch0")) {
            camera.source.start();
            String offline = camera.events.next();
            assertTrue(offline.contains("interface nosuch0 does not exist on this host; it has "), offline);
            assertTrue(offline.contains("lo"), offline);
        }
    }

    // ------------------------------------------------------------------ helpers

    private String assertOfflineBecause(String fileName, String text, String expected) throws Exception {
        Path file = writeSdp(fileName, text);
        try (Camera camera = new Camera("bad-cam", file, TEN_SECONDS, null)) {
            camera.source.start();
            String offline = camera.events.next();
            assertTrue(offline.startsWith("offline: camera bad-cam: "), offline);
            assertTrue(offline.contains(file.toString()), "names the file: " + offline);
            assertTrue(offline.contains(expected), "expected \"" + expected + "\" in: " + offline);
            assertFalse(camera.source.isOnline());
            return offline;
        }
    }

    private Path writeSdp(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    private static String sdp(int port, String media) {
        return "v=0\no=- 0 0 IN IP4 127.0.0.1\ns=test\nc=IN IP4 127.0.0.1\nt=0 0\n" + media;
    }

    private static void assertKeyframesCarryParameterSets(List<Unit> units, VideoCodec codec) {
        int keyframes = 0;
        for (Unit unit : units) {
            if (!unit.keyframe()) {
                continue;
            }
            keyframes++;
            Set<Integer> types = new HashSet<>();
            for (byte[] nal : AnnexB.splitNalUnits(unit.data())) {
                types.add(codec == VideoCodec.H264 ? AnnexB.h264Type(nal) : AnnexB.h265Type(nal));
            }
            Set<Integer> needed = codec == VideoCodec.H264 ? Set.of(7, 8) : Set.of(32, 33, 34);
            assertTrue(types.containsAll(needed), "keyframe NAL types " + types + " lack parameter sets " + needed);
        }
        assertTrue(keyframes >= 1, "no keyframe among " + units.size() + " units");
    }

    /**
     * Decodes the units from the first keyframe on and checks that the pictures are the clip's, in
     * order, with none missing: a run of the clip's frame hashes starting at a keyframe, wrapping
     * around where the sender looped.
     */
    private static void assertFrameExact(Path clip, List<Unit> units, Path received) throws IOException {
        List<String> reference = FfmpegReference.frameMd5Yuv420p(clip);
        List<String> decoded = FfmpegReference.frameMd5Yuv420p(fromFirstKeyframe(units, received));
        int first = 0;
        while (first < units.size() && !units.get(first).keyframe()) {
            first++;
        }
        assertEquals(units.size() - first, decoded.size(), "one decoded picture per received unit");
        int start = -1;
        for (int k = 0; k < reference.size(); k += TestClips.GOP) {
            if (reference.get(k).equals(decoded.getFirst())) {
                start = k;
            }
        }
        if (start < 0) {
            fail("the first received keyframe is none of the clip's keyframes");
        }
        for (int i = 0; i < decoded.size(); i++) {
            int expected = (start + i) % reference.size();
            if (!reference.get(expected).equals(decoded.get(i))) {
                fail("received picture " + i + " should be clip frame " + expected + " (run from frame " + start
                        + " of " + reference.size() + "), but its hash differs");
            }
        }
    }

    /** Writes the units from the first keyframe on as one Annex-B stream, as a decoder would take them. */
    private static Path fromFirstKeyframe(List<Unit> units, Path file) throws IOException {
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        boolean started = false;
        for (Unit unit : units) {
            started |= unit.keyframe();
            if (started) {
                stream.writeBytes(unit.data());
            }
        }
        return Files.write(file, stream.toByteArray());
    }

    private static void await(BooleanSupplier condition, Duration timeout, java.util.function.Supplier<String> why)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("not within " + timeout.toSeconds() + " s: " + why.get());
            }
            Thread.sleep(20);
        }
    }

    // ------------------------------------------------------------------ test parts

    /** A source wired to a real {@link VideoTrackReceiver} whose sink keeps a copy of every unit. */
    private static final class Camera implements AutoCloseable {
        final Units units = new Units();
        final Events events = new Events();
        final VideoTrackReceiver receiver;
        final SdpFileSource source;

        Camera(String name, Path sdpFile, Duration reconnect, String multicastInterface) {
            receiver = new VideoTrackReceiver(name, TimestampMode.ARRIVAL, 4 * 1024 * 1024, units, codec -> { });
            source = new SdpFileSource(name, sdpFile, loop, receiver, reconnect, events, multicastInterface);
        }

        @Override
        public void close() {
            source.close();
        }
    }

    record Unit(byte[] data, boolean keyframe) {
    }

    /** Copies each unit: an {@link AccessUnit} is valid only during the call. */
    private static final class Units implements AccessUnitListener {
        private final List<Unit> units = new ArrayList<>();
        private int firstKeyframe = -1;

        @Override
        public synchronized void onAccessUnit(AccessUnit unit) {
            byte[] data = new byte[unit.size()];
            unit.data().get(0, data);
            if (firstKeyframe < 0 && unit.isKeyframe()) {
                firstKeyframe = units.size();
            }
            units.add(new Unit(data, unit.isKeyframe()));
        }

        synchronized int count() {
            return units.size();
        }

        synchronized int framesFromFirstKeyframe() {
            return firstKeyframe < 0 ? 0 : units.size() - firstKeyframe;
        }

        synchronized int keyframesAfter(int index) {
            return (int) units.subList(index, units.size()).stream().filter(Unit::keyframe).count();
        }

        synchronized List<Unit> snapshot() {
            return List.copyOf(units);
        }
    }

    /** Online and offline events in order, as "online" and "offline: reason". */
    private static final class Events implements StreamEvents {
        final BlockingQueue<String> queue = new LinkedBlockingQueue<>();
        final List<String> seen = java.util.Collections.synchronizedList(new ArrayList<>());

        @Override
        public void onOnline(String camera, boolean overTcp) {
            assertFalse(overTcp);
            record("online");
        }

        @Override
        public void onOffline(String camera, String reason) {
            record("offline: " + reason);
        }

        private void record(String event) {
            seen.add(event);
            queue.add(event);
        }

        String next() throws InterruptedException {
            String event = queue.poll(8, TimeUnit.SECONDS);
            assertNotNull(event, "no event within 8 s; seen so far: " + seen);
            return event;
        }
    }
}

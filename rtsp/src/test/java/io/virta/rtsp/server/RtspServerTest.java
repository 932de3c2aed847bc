package io.virta.rtsp.server;

import io.netty.channel.nio.NioEventLoopGroup;
import io.virta.rtsp.media.AccessUnit;
import io.virta.rtsp.media.AnnexB;
import io.virta.rtsp.media.VideoCodec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The server against real clients: ffprobe decodes what it serves, over TCP and over UDP. */
class RtspServerTest {
    private NioEventLoopGroup group;
    private RtspServer server;
    private Thread feeder;
    private volatile boolean feeding = true;

    @BeforeEach
    void start() throws Exception {
        group = new NioEventLoopGroup(1);
        MediaMount mount = new MediaMount("cam", VideoCodec.H264);
        server = new RtspServer(group).mount(mount).bind("127.0.0.1", 0);
        List<byte[]> units = accessUnits(clip());
        feeder = Thread.ofPlatform().daemon().name("test-feeder").start(() -> feed(mount, units));
    }

    @AfterEach
    void stop() throws Exception {
        feeding = false;
        feeder.join();
        server.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    @Test
    void ffprobeDecodesOverTcpAndUdp() throws Exception {
        for (String transport : new String[] {"tcp", "udp"}) {
            Process p = new ProcessBuilder("ffprobe", "-v", "error", "-rtsp_transport", transport, "-read_intervals", "%+3",
                    "-count_frames", "-select_streams", "v:0", "-show_entries", "stream=codec_name,width,height,nb_read_frames",
                    "-of", "csv=p=0", server.url("cam")).redirectErrorStream(true).start();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "ffprobe finished");
            String out = new String(p.getInputStream().readAllBytes()).trim();
            String[] fields = out.lines().filter(l -> l.startsWith("h264")).findFirst().orElse("").split(",");
            assertEquals(4, fields.length, transport + ": " + out);
            assertEquals("320", fields[1]);
            assertEquals("240", fields[2]);
            assertTrue(Integer.parseInt(fields[3]) >= 25, transport + ": frames decoded: " + out);
        }
    }

    @Test
    void anUnknownPathIs404() throws Exception {
        Process p = new ProcessBuilder("ffprobe", "-v", "error", "-rtsp_transport", "tcp", server.url("nope"))
                .redirectErrorStream(true).start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(out.contains("404"), out);
    }

    private void feed(MediaMount mount, List<byte[]> units) {
        AccessUnit unit = AccessUnit.allocate(1 << 20);
        long next = System.nanoTime();
        for (long frame = 0; feeding; frame++) {
            byte[] bytes = units.get((int) (frame % units.size()));
            unit.data().clear();
            unit.data().put(bytes).flip();
            unit.rtpTimestamp(frame * 3600).keyframe(isKeyframe(unit.data(), bytes.length));
            mount.publish(unit);
            next += 40_000_000;
            long wait = next - System.nanoTime();
            if (wait > 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(wait);
            }
        }
    }

    static boolean isKeyframe(ByteBuffer data, int end) {
        for (int s = AnnexB.nextNalStart(data, 0, end); s >= 0; s = AnnexB.nextNalStart(data, s, end)) {
            if ((data.get(s) & 0x1f) == 5) {
                return true;
            }
        }
        return false;
    }

    static Path clip() throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "test-clips"));
        Path clip = dir.resolve("server-320x240.h264");
        if (!Files.exists(clip)) {
            Path tmp = dir.resolve("server-320x240.h264.tmp" + ProcessHandle.current().pid());
            Process p = new ProcessBuilder("ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25",
                    "-t", "2", "-c:v", "libx264", "-threads", "1", "-pix_fmt", "yuv420p", "-profile:v", "baseline", "-g", "25",
                    "-bf", "0", "-x264-params", "repeat-headers=1:aud=1", "-f", "h264", tmp.toString()).inheritIO().start();
            assertEquals(0, p.waitFor());
            Files.move(tmp, clip, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        return clip;
    }

    /** Splits an Annex-B stream at its access unit delimiters. */
    static List<byte[]> accessUnits(Path clip) throws Exception {
        byte[] all = Files.readAllBytes(clip);
        ByteBuffer b = ByteBuffer.wrap(all);
        List<Integer> starts = new ArrayList<>();
        for (int s = AnnexB.nextNalStart(b, 0, all.length); s >= 0; s = AnnexB.nextNalStart(b, s, all.length)) {
            if ((all[s] & 0x1f) == 9) {
                starts.add(s - 4);
            }
        }
        List<byte[]> units = new ArrayList<>();
        for (int i = 0; i < starts.size(); i++) {
            int from = starts.get(i);
            int to = i + 1 < starts.size() ? starts.get(i + 1) : all.length;
            units.add(java.util.Arrays.copyOfRange(all, from, to));
        }
        return units;
    }
}

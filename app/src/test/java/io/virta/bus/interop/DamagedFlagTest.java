package io.virta.bus.interop;

import io.virta.bus.ChannelReader;
import io.virta.bus.ChannelSpec;
import io.virta.bus.ChannelType;
import io.virta.bus.ChannelWriter;
import io.virta.bus.PullStatus;
import io.virta.bus.WritableFrame;
import io.virta.bus.tools.BusTool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The DAMAGED cell flag (docs/bus-format.md 2.3, bit 3) crosses languages: set by a Java writer, read
 * by the Python client's reader, and the other way round, without disturbing the other flags.
 */
class DamagedFlagTest {
    private static final boolean[] DAMAGED = {false, true, true, false};
    private final ScratchChannels channels = new ScratchChannels();

    private String name(String prefix) {
        return channels.name(prefix);
    }

    @AfterEach
    void cleanUp() throws Exception {
        channels.removeAll();
    }

    @Test
    void setInJavaReadInPython() throws Exception {
        String name = name("damagedj2p");
        String script = """
                import sys
                from virta.bus import Reader, PullStatus
                with Reader(sys.argv[1], start="next") as r:
                    print("READY", flush=True)
                    for _ in range(4):
                        assert r.pull(30) is PullStatus.FRAME
                        print("FRAME", int(r.frame.damaged), int(r.frame.keyframe), flush=True)
                """;
        try (ChannelWriter writer = ChannelWriter.create(ChannelSpec.of(name, ChannelType.RAW).capacity(64).cells(8));
             Peers.Peer reader = new Peers.Peer(List.of("/usr/bin/python3", "-c", script, name))) {
            reader.await("READY", 30);
            long giveUp = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (writer.readerCount() < 1) {
                assertTrue(System.nanoTime() < giveUp, "the Python reader never attached");
                Thread.sleep(10);
            }
            for (int i = 0; i < DAMAGED.length; i++) {
                WritableFrame f = writer.claim();
                f.payloadSize(8).keyframe(i == 0).damaged(DAMAGED[i]);
                writer.commit();
            }
            for (int i = 0; i < DAMAGED.length; i++) {
                assertEquals("FRAME " + (DAMAGED[i] ? 1 : 0) + " " + (i == 0 ? 1 : 0), reader.await("FRAME", 30).strip());
            }
            assertEquals(0, reader.finish(30), reader.stderr());
        }
    }

    @Test
    void setInPythonReadInJava() throws Exception {
        String name = name("damagedp2j");
        String script = """
                import sys, time
                from virta.bus import Writer, ChannelType
                with Writer.create(sys.argv[1], ChannelType.RAW, capacity=64, cells=8) as w:
                    print("READY", flush=True)
                    deadline = time.monotonic() + 30
                    while w.reader_count < 1 and time.monotonic() < deadline:
                        time.sleep(0.01)
                    for damaged in (False, True, True, False):
                        w.push(b"12345678", damaged=damaged, keyframe=not damaged)
                    time.sleep(0.5)
                """;
        try (Peers.Peer writer = new Peers.Peer(List.of("/usr/bin/python3", "-c", script, name))) {
            writer.await("READY", 30);
            try (ChannelReader reader = ChannelReader.builder(name).start(ChannelReader.Start.NEXT).open()) {
                for (boolean damaged : DAMAGED) {
                    assertEquals(PullStatus.FRAME, reader.pull(Duration.ofSeconds(30)));
                    assertEquals(damaged, reader.frame().isDamaged());
                    assertEquals(!damaged, reader.frame().isKeyframe(), "the other flags are left alone");
                    assertTrue(!reader.frame().isDiscontinuity());
                }
            }
            assertEquals(0, writer.finish(30), writer.stderr());
        }
    }

    @Test
    void busReadPrintsTheFlagsInBothLanguages() throws Exception {
        String name = name("damagedread");
        try (ChannelWriter writer = ChannelWriter.create(ChannelSpec.of(name, ChannelType.RAW).capacity(64).cells(8));
             Peers.Peer java = Peers.java("read", name, "--start", "next", "--count", "" + DAMAGED.length);
             Peers.Peer python = Peers.python("read", name, "--start", "next", "--count", "" + DAMAGED.length)) {
            long giveUp = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (writer.readerCount() < 2) {
                assertTrue(System.nanoTime() < giveUp, "the bus read peers never attached");
                Thread.sleep(10);
            }
            for (boolean damaged : DAMAGED) {
                WritableFrame f = writer.claim();
                f.payload().asSlice(0, 8).fill(BusTool.patternByte(f.sequence()));
                f.payloadSize(8).keyframe(!damaged).damaged(damaged);
                writer.commit();
            }
            for (Peers.Peer peer : List.of(java, python)) {
                peer.await("\"summary\"", 30);
                assertEquals(0, peer.finish(10), peer.stderr());
                List<String> frames = peer.output().stream().filter(l -> l.contains("\"frame\"")).toList();
                assertEquals(DAMAGED.length, frames.size(), peer.output().toString());
                for (int i = 0; i < DAMAGED.length; i++) {
                    String line = frames.get(i);
                    assertTrue(line.contains("\"damaged\":" + DAMAGED[i]), line);
                    assertTrue(line.contains("\"keyframe\":" + !DAMAGED[i]), line);
                    assertTrue(line.contains("\"ok\":true"), line);
                }
            }
        }
    }
}

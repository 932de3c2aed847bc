package io.virta.rtsp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.virta.testkit.FuzzCorpus;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RtspStreamParserTest {
    /** What gst-rtsp-server answers to DESCRIBE, byte for byte in form. */
    static final String DESCRIBE_RESPONSE = "RTSP/1.0 200 OK\r\n"
            + "CSeq: 2\r\n"
            + "Content-Type: application/sdp\r\n"
            + "Content-Base: rtsp://127.0.0.1:8554/cam/\r\n"
            + "Server: GStreamer RTSP server\r\n"
            + "Content-Length: 10\r\n"
            + "\r\n"
            + "v=0\r\no=- 1";

    private final List<Object> seen = new ArrayList<>();
    private final RtspStreamParser.Listener recorder = new RtspStreamParser.Listener() {
        @Override
        public void onInterleaved(int channel, ByteBuf packet) {
            byte[] bytes = new byte[packet.readableBytes()];
            packet.getBytes(packet.readerIndex(), bytes);
            seen.add(channel + ":" + new String(bytes, StandardCharsets.ISO_8859_1));
        }

        @Override
        public void onResponse(RtspResponse response) {
            seen.add(response);
        }

        @Override
        public void onRequest(String method, String uri, RtspHeaders headers, byte[] body) {
            seen.add(method + " " + uri);
        }
    };

    @Test
    void parsesAResponseWithBody() throws Exception {
        new RtspStreamParser().parse(buf(DESCRIBE_RESPONSE), recorder);
        RtspResponse r = (RtspResponse) seen.getFirst();
        assertEquals(200, r.status());
        assertEquals("OK", r.reason());
        assertEquals(2, r.cseq());
        assertEquals("rtsp://127.0.0.1:8554/cam/", r.headers().get("content-base"));
        assertEquals("v=0\r\no=- 1", r.bodyText());
    }

    @Test
    void interleavedPacketsBetweenMessagesAndSplitAnywhere() throws Exception {
        String stream = "$\u0000\u0000\u0003abc" + DESCRIBE_RESPONSE + "$\u0001\u0000\u0002xy"
                + "GET_PARAMETER rtsp://h/ RTSP/1.0\r\nCSeq: 9\r\n\r\n";
        byte[] bytes = stream.getBytes(StandardCharsets.ISO_8859_1);
        for (int split = 0; split < bytes.length; split++) {
            seen.clear();
            ByteBuf in = Unpooled.buffer();
            RtspStreamParser parser = new RtspStreamParser();
            in.writeBytes(bytes, 0, split);
            parser.parse(in, recorder);
            in.writeBytes(bytes, split, bytes.length - split);
            parser.parse(in, recorder);
            assertEquals(4, seen.size(), "split at " + split + ": " + seen);
            assertEquals("0:abc", seen.get(0));
            assertEquals(200, ((RtspResponse) seen.get(1)).status());
            assertEquals("1:xy", seen.get(2));
            assertEquals("GET_PARAMETER rtsp://h/", seen.get(3));
            assertEquals(0, in.readableBytes());
        }
    }

    @Test
    void toleratesBareLineFeedsAndFoldedHeaders() throws Exception {
        new RtspStreamParser().parse(buf("\r\nRTSP/1.0 401 Unauthorized\nCSeq: 3\nWWW-Authenticate: Digest realm=\"x\",\n"
                + " nonce=\"n\"\nWWW-Authenticate: Basic realm=\"x\"\n\n"), recorder);
        RtspResponse r = (RtspResponse) seen.getFirst();
        assertEquals(401, r.status());
        assertEquals(List.of("Digest realm=\"x\", nonce=\"n\"", "Basic realm=\"x\""), r.headers().getAll("WWW-Authenticate"));
    }

    @Test
    void rejectsWhatIsNotRtspWithAClearMessage() {
        var e = assertThrows(RtspProtocolException.class,
                () -> new RtspStreamParser().parse(buf("HTTP/1.1 200 OK\r\n\r\n"), recorder));
        assertTrue(e.getMessage().contains("HTTP/1.1 200 OK"), e.getMessage());
        e = assertThrows(RtspProtocolException.class,
                () -> new RtspStreamParser().parse(buf("RTSP/1.0 2x0 OK\r\n\r\n"), recorder));
        assertTrue(e.getMessage().contains("bad status code"), e.getMessage());
        e = assertThrows(RtspProtocolException.class,
                () -> new RtspStreamParser().parse(buf("RTSP/1.0 200 OK\r\nContent-Length: 99999999\r\n\r\n"), recorder));
        assertTrue(e.getMessage().contains("Content-Length"), e.getMessage());
    }

    @Test
    void aHugeHeaderIsRefusedBeforeItFillsMemory() {
        StringBuilder huge = new StringBuilder("RTSP/1.0 200 OK\r\n");
        while (huge.length() < 20_000) {
            huge.append("X-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n");
        }
        var e = assertThrows(RtspProtocolException.class, () -> new RtspStreamParser().parse(buf(huge.toString()), recorder));
        assertTrue(e.getMessage().contains("longer than 16384 bytes"), e.getMessage());
    }

    @Test
    void interleavedPacketsAreHandedOnWithoutCopyingOrAllocating() throws Exception {
        byte[] one = "$\u0000\u0005\u00dc".getBytes(StandardCharsets.ISO_8859_1);   // channel 0, 1500 bytes
        ByteBuf in = Unpooled.directBuffer(1504 * 100);
        long[] bytesSeen = {0};
        RtspStreamParser.Listener counter = new RtspStreamParser.Listener() {
            @Override
            public void onInterleaved(int channel, ByteBuf packet) {
                if (packet != in) {
                    throw new AssertionError("a copy or a slice, not the input buffer");
                }
                bytesSeen[0] += packet.readableBytes();
            }

            @Override
            public void onResponse(RtspResponse response) {
            }

            @Override
            public void onRequest(String method, String uri, RtspHeaders headers, byte[] body) {
            }
        };
        RtspStreamParser parser = new RtspStreamParser();
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long allocated = 0;
        for (int round = 0; round < 200; round++) {
            in.clear();
            for (int i = 0; i < 100; i++) {
                in.writeBytes(one).writeZero(1500);
            }
            long before = threads.getCurrentThreadAllocatedBytes();
            parser.parse(in, counter);
            if (round >= 100) {
                allocated += threads.getCurrentThreadAllocatedBytes() - before;
            }
            assertEquals(0, in.readableBytes());
        }
        assertEquals(200L * 100 * 1500, bytesSeen[0]);
        assertTrue(allocated < 100 * 100 / 10, "bytes allocated for 10,000 packets: " + allocated);
        in.release();
    }

    /**
     * Mutated streams either parse or fail with RtspProtocolException; nothing else, and never a hang.
     * The persisted corpus (src/test/resources/fuzz/RtspStreamParserTest) goes first, split at many places.
     */
    @Test
    void fuzzedStreams() {
        byte[] seed = ("$\u0000\u0000\u0004abcd" + DESCRIBE_RESPONSE + "RTSP/1.0 200 OK\r\nCSeq: 3\r\nSession: 1;timeout=30\r\n"
                + "Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
        for (FuzzCorpus.Case input : FuzzCorpus.of(RtspStreamParserTest.class)) {
            byte[] bytes = input.bytes();
            for (int cut = 0; cut <= bytes.length; cut += Math.max(1, bytes.length / 64)) {
                parseInTwo(bytes, cut);
            }
        }
        Random random = new Random(2326);
        for (int round = 0; round < 5000; round++) {
            byte[] input = seed.clone();
            int mutations = 1 + random.nextInt(8);
            for (int m = 0; m < mutations; m++) {
                input[random.nextInt(input.length)] = (byte) (random.nextBoolean() ? random.nextInt(256) : "$\r\n: 0".charAt(random.nextInt(6)));
            }
            parseInTwo(input, random.nextInt(input.length));
        }
    }

    /**
     * Parses {@code input} as it would arrive in two reads split at {@code cut}, then the transport and
     * session headers of what it yields; an RtspProtocolException is a clean end, anything else fails.
     */
    private void parseInTwo(byte[] input, int cut) {
        ByteBuf in = Unpooled.buffer();
        RtspStreamParser parser = new RtspStreamParser(4096, 4096);
        try {
            in.writeBytes(input, 0, cut);
            parser.parse(in, recorder);
            in.writeBytes(input, cut, input.length - cut);
            parser.parse(in, recorder);
            for (Object o : seen) {
                if (o instanceof RtspResponse r) {
                    TransportHeader.parse(r.headers().get("Transport") == null ? "RTP/AVP" : r.headers().get("Transport"));
                    if (r.headers().get("Session") != null) {
                        SessionHeader.parse(r.headers().get("Session"));
                    }
                }
            }
        } catch (RtspProtocolException expected) {
            // a clean error is the right answer to garbage
        }
        seen.clear();
    }

    @Test
    void requestsEncodeWithContentLength() {
        byte[] wire = new RtspRequest("SET_PARAMETER", "rtsp://h/cam").header("CSeq", "5")
                .body("a: b\r\n".getBytes(StandardCharsets.US_ASCII), "text/parameters").encode();
        assertArrayEquals(("SET_PARAMETER rtsp://h/cam RTSP/1.0\r\nCSeq: 5\r\nContent-Type: text/parameters\r\n"
                + "Content-Length: 6\r\n\r\na: b\r\n").getBytes(StandardCharsets.US_ASCII), wire);
        assertThrows(IllegalArgumentException.class, () -> new RtspRequest("PLAY", "rtsp://h/a b"));
        assertThrows(IllegalArgumentException.class,
                () -> new RtspRequest("PLAY", "rtsp://h/").header("X", "a\r\nInjected: 1").encode());
    }

    private static ByteBuf buf(String s) {
        return Unpooled.wrappedBuffer(s.getBytes(StandardCharsets.ISO_8859_1));
    }
}

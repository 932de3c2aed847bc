package io.virta.producer.rtsp.server;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client speaking just enough RTSP over a raw socket to play a mount over TCP-interleaved, so that
 * a test decides when it reads (no real player can be told to stall).
 */
final class RawRtspClient {
    private RawRtspClient() {
    }

    /** SETUP over TCP-interleaved and PLAY on {@code socket}; returns once the server answered PLAY. */
    static void play(Socket socket, RtspServer server, String path) throws IOException {
        socket.connect(new InetSocketAddress("127.0.0.1", server.port()));
        socket.setSoTimeout(5000);
        String setup = request(socket, "SETUP " + server.url(path) + "/track1 RTSP/1.0\r\nCSeq: 1\r\n"
                + "Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n\r\n");
        Matcher session = Pattern.compile("Session: *([^;\\r]+)").matcher(setup);
        assertTrue(session.find(), setup);
        String play = request(socket, "PLAY " + server.url(path) + " RTSP/1.0\r\nCSeq: 2\r\nSession: " + session.group(1)
                + "\r\n\r\n");
        assertTrue(play.startsWith("RTSP/1.0 200"), play);
    }

    /** Sends one request and reads its response header (these responses have no body). */
    private static String request(Socket socket, String request) throws IOException {
        socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
        StringBuilder response = new StringBuilder();
        while (response.indexOf("\r\n\r\n") < 0) {
            int b = socket.getInputStream().read();
            if (b < 0) {
                throw new IOException("the server hung up; so far: " + response);
            }
            response.append((char) b);
        }
        return response.toString();
    }

    /**
     * Reads interleaved RTP ({@code $}, channel, length, packet) until the socket closes, counting
     * packets with the marker bit: frames.
     */
    static void countFrames(Socket socket, AtomicLong frames) {
        try {
            socket.setSoTimeout(0);
            DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 1 << 16));
            byte[] packet = new byte[65536];
            while (true) {
                if (in.readUnsignedByte() != '$') {
                    throw new IOException("not an interleaved frame");
                }
                in.readUnsignedByte();
                int length = in.readUnsignedShort();
                in.readFully(packet, 0, length);
                if ((packet[1] & 0x80) != 0) {
                    frames.incrementAndGet();
                }
            }
        } catch (IOException e) {
            // the socket closed at the end of the test
        }
    }
}

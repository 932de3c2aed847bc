package io.virta.rtsp.server;

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
 * A client speaking just enough RTSP over a raw socket to play a mount (over TCP-interleaved, or over
 * UDP to the test's own sockets), so that a test decides when it reads (no real player can be told
 * to stall) and sees exactly what the server answered.
 */
final class RawRtspClient {
    private RawRtspClient() {
    }

    /** SETUP over TCP-interleaved and PLAY on {@code socket}; returns once the server answered PLAY. */
    static void play(Socket socket, RtspServer server, String path) throws IOException {
        String setup = setup(socket, server, path, "RTP/AVP/TCP;unicast;interleaved=0-1");
        play(socket, server, path, header(setup, "Session"));
    }

    /** Connects {@code socket} and SETs UP {@code path} with {@code transport}; returns the 200 reply. */
    static String setup(Socket socket, RtspServer server, String path, String transport) throws IOException {
        socket.connect(new InetSocketAddress("127.0.0.1", server.port()));
        socket.setSoTimeout(5000);
        String setup = request(socket, "SETUP " + server.url(path) + "/track1 RTSP/1.0\r\nCSeq: 1\r\n"
                + "Transport: " + transport + "\r\n\r\n");
        assertTrue(setup.startsWith("RTSP/1.0 200"), setup);
        return setup;
    }

    /** PLAYs {@code session}; returns once the server answered. */
    static void play(Socket socket, RtspServer server, String path, String session) throws IOException {
        String play = request(socket, "PLAY " + server.url(path) + " RTSP/1.0\r\nCSeq: 2\r\nSession: " + session
                + "\r\n\r\n");
        assertTrue(play.startsWith("RTSP/1.0 200"), play);
    }

    /** TEARs DOWN {@code session}; returns once the server answered. */
    static void teardown(Socket socket, RtspServer server, String path, String session) throws IOException {
        String reply = request(socket, "TEARDOWN " + server.url(path) + " RTSP/1.0\r\nCSeq: 3\r\nSession: " + session
                + "\r\n\r\n");
        assertTrue(reply.startsWith("RTSP/1.0 200"), reply);
    }

    /** A header's value in {@code reply}, less any {@code ;parameters}. */
    static String header(String reply, String name) {
        Matcher value = Pattern.compile("(?im)^" + name + ": *([^;\\r]+)").matcher(reply);
        assertTrue(value.find(), name + " in " + reply);
        return value.group(1).trim();
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

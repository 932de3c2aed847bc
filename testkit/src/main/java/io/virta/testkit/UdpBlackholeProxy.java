package io.virta.testkit;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An RTSP proxy on 127.0.0.1 in front of a real server (gst-rtsp-server) that plays the part of a
 * firewall dropping UDP: RTSP and TCP-interleaved RTP pass both ways untouched, but each SETUP for
 * RTP over UDP gets its {@code client_port} rewritten to two sockets of this proxy, which read the
 * server's RTP and throw it away. The server answers PLAY and sends; the client receives nothing.
 *
 * <p>{@link #udpPacketsSwallowed()} proves the server did send: the test's "nothing arrived" is the
 * network's doing, not a server that never played. Threads: one virtual thread per direction per
 * connection, plus one per swallowing socket. Not a general proxy: requests from the client are
 * parsed as RTSP (headers, Content-Length body) or {@code $}-framed interleaved data.
 */
public final class UdpBlackholeProxy implements AutoCloseable {
    private static final Pattern CLIENT_PORT = Pattern.compile("client_port=\\d+(-\\d+)?", Pattern.CASE_INSENSITIVE);

    private final InetSocketAddress upstream;
    private final ServerSocket listener;
    private final DatagramSocket rtpSink;
    private final DatagramSocket rtcpSink;
    private final AtomicLong swallowed = new AtomicLong();
    private final List<Socket> sockets = new ArrayList<>();

    /** @param upstreamPort the real server's RTSP port on 127.0.0.1 */
    public UdpBlackholeProxy(int upstreamPort) {
        this.upstream = new InetSocketAddress(InetAddress.getLoopbackAddress(), upstreamPort);
        try {
            listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            rtpSink = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            rtcpSink = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the proxy's sockets on 127.0.0.1", e);
        }
        Thread.ofVirtual().name("blackhole-accept").start(this::acceptForever);
        Thread.ofVirtual().name("blackhole-rtp").start(() -> swallow(rtpSink));
        Thread.ofVirtual().name("blackhole-rtcp").start(() -> swallow(rtcpSink));
    }

    /** {@code rtsp://127.0.0.1:<proxy port><mount>}: the server's mount, behind the UDP-dropping "firewall". */
    public String url(String mount) {
        return "rtsp://127.0.0.1:" + listener.getLocalPort() + (mount.startsWith("/") ? mount : "/" + mount);
    }

    /** RTP and RTCP datagrams the server sent towards the client that never reached it. */
    public long udpPacketsSwallowed() {
        return swallowed.get();
    }

    @Override
    public void close() {
        try {
            listener.close();
        } catch (IOException ignored) {
            // Closing is best effort.
        }
        rtpSink.close();
        rtcpSink.close();
        synchronized (sockets) {
            for (Socket s : sockets) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // Closing is best effort.
                }
            }
        }
    }

    private void acceptForever() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket();
                server.connect(upstream, 5000);
                synchronized (sockets) {
                    sockets.add(client);
                    sockets.add(server);
                }
                Thread.ofVirtual().start(() -> relayRequests(client, server));
                Thread.ofVirtual().start(() -> copy(server, client));
            } catch (IOException e) {
                return; // the listener was closed
            }
        }
    }

    private void swallow(DatagramSocket socket) {
        DatagramPacket packet = new DatagramPacket(new byte[65536], 65536);
        while (!socket.isClosed()) {
            try {
                socket.receive(packet);
                swallowed.incrementAndGet();
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void copy(Socket from, Socket to) {
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            in.transferTo(out);
        } catch (IOException ignored) {
            // Either side ended the connection.
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    /** Client to server: RTSP requests (SETUP's UDP ports rewritten) and interleaved frames as they are. */
    private void relayRequests(Socket client, Socket server) {
        try (InputStream in = new BufferedInputStream(client.getInputStream()); OutputStream out = server.getOutputStream()) {
            while (true) {
                in.mark(1);
                int first = in.read();
                if (first < 0) {
                    return;
                }
                if (first == '$') {
                    byte[] header = in.readNBytes(3);
                    int length = ((header[1] & 0xff) << 8) | (header[2] & 0xff);
                    out.write('$');
                    out.write(header);
                    out.write(in.readNBytes(length));
                } else {
                    in.reset();
                    out.write(rewrite(readRequest(in)));
                }
                out.flush();
            }
        } catch (IOException ignored) {
            // Either side ended the connection.
        } finally {
            closeQuietly(client);
            closeQuietly(server);
        }
    }

    private byte[] rewrite(byte[] request) {
        String text = new String(request, StandardCharsets.ISO_8859_1);
        if (!text.regionMatches(true, 0, "SETUP", 0, 5)) {
            return request;
        }
        Matcher m = CLIENT_PORT.matcher(text);
        String ports = "client_port=" + rtpSink.getLocalPort() + "-" + rtcpSink.getLocalPort();
        return m.replaceFirst(ports).getBytes(StandardCharsets.ISO_8859_1);
    }

    /** One request: its header lines up to the empty line, and the body Content-Length gives. */
    private static byte[] readRequest(InputStream in) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int contentLength = 0;
        StringBuilder line = new StringBuilder();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the client closed the connection");
            }
            bytes.write(b);
            if (b != '\n') {
                if (b != '\r') {
                    line.append((char) b);
                }
                continue;
            }
            if (line.isEmpty()) {
                break;
            }
            String header = line.toString();
            if (header.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                contentLength = Integer.parseInt(header.substring(15).trim());
            }
            line.setLength(0);
        }
        bytes.write(in.readNBytes(contentLength));
        return bytes.toByteArray();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Closing is best effort.
        }
    }
}

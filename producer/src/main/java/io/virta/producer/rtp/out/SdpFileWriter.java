package io.virta.producer.rtp.out;

import io.virta.producer.rtp.SdpFormat;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes the SDP file that tells receivers (ffmpeg, ffplay, VLC, GStreamer, Virta's own SDP
 * cameras) where an RTP stream goes and how to decode it. Written whole to a temporary file and
 * renamed over the old one, so a reader never sees half a description.
 */
final class SdpFileWriter {
    private final Path file;
    private final String camera;
    private final InetAddress destination;
    private final int port;
    private final int ttl;
    private final long sessionId;
    private int version;

    SdpFileWriter(Path file, String camera, InetAddress destination, int port, int ttl, long sessionId) {
        this.file = file;
        this.camera = camera;
        this.destination = destination;
        this.port = port;
        this.ttl = ttl;
        this.sessionId = sessionId;
    }

    Path file() {
        return file;
    }

    /** The description for the stream's current format; each call bumps the origin's version. */
    String describe(SdpFormat format) {
        boolean v6 = destination instanceof Inet6Address;
        String family = v6 ? "IP6" : "IP4";
        String address = destination.getHostAddress();
        // IPv4 multicast carries its TTL in c=; IPv6 has none there (RFC 8866 5.7).
        String connection = destination.isMulticastAddress() && !v6 ? address + "/" + ttl : address;
        return "v=0\r\n"
                + "o=- " + sessionId + " " + (++version) + " IN " + family + " " + address + "\r\n"
                + "s=" + camera + "\r\n"
                + "c=IN " + family + " " + connection + "\r\n"
                + "t=0 0\r\n"
                + "m=video " + port + " RTP/AVP " + RtpSender.PAYLOAD_TYPE + "\r\n"
                + format.attributes();
    }

    void write(String description) throws IOException {
        Path absolute = file.toAbsolutePath();
        Path directory = absolute.getParent();
        Files.createDirectories(directory);
        Path temporary = directory.resolve("." + absolute.getFileName() + ".tmp");
        Files.writeString(temporary, description, StandardCharsets.US_ASCII);
        Files.move(temporary, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}

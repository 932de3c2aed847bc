package io.virta.producer.rtp.out;

import io.virta.rtsp.rtp.SdpFormat;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.FileSystems;
import java.nio.file.LinkOption;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Writes the SDP file that tells receivers (ffmpeg, ffplay, VLC, GStreamer, Virta's own SDP
 * cameras) where an RTP stream goes and how to decode it. Written whole to a new temporary file
 * of a random name and renamed over the old one, so a reader never sees half a description.
 *
 * <p>Hostile file system: the temporary file is created exclusively (it cannot be a link someone
 * planted), owner-only from its creation, then given its final mode (0600, or 0640 and the
 * configured group); the rename replaces whatever has the file's name, a symbolic link included,
 * without following it, so the producer never writes through a link into another file. A
 * directory it has to create is made 0700 (0750 with a group).
 */
final class SdpFileWriter {
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> GROUP_READ = PosixFilePermissions.fromString("rw-r-----");
    private static final Set<PosixFilePermission> DIRECTORY_OWNER_ONLY = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> DIRECTORY_GROUP = PosixFilePermissions.fromString("rwxr-x---");

    private final Path file;
    private final String group;
    private final String camera;
    private final InetAddress destination;
    private final int port;
    private final int ttl;
    private final long sessionId;
    private int version;

    /** {@code group}: null for an owner-only file. */
    SdpFileWriter(Path file, String group, String camera, InetAddress destination, int port, int ttl, long sessionId) {
        this.file = file;
        this.group = group;
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
        if (!Files.isDirectory(directory)) {
            Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(
                    group == null ? DIRECTORY_OWNER_ONLY : DIRECTORY_GROUP));
            if (group != null) {
                Files.getFileAttributeView(directory, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                        .setGroup(groupPrincipal());
            }
        }
        Path temporary = Files.createTempFile(directory, "." + absolute.getFileName(), ".tmp",
                PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        try {
            // NOFOLLOW_LINKS throughout: the name is ours, but the directory may not be only ours.
            Files.write(temporary, description.getBytes(StandardCharsets.US_ASCII), StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING, LinkOption.NOFOLLOW_LINKS);
            PosixFileAttributeView view = Files.getFileAttributeView(temporary, PosixFileAttributeView.class,
                    LinkOption.NOFOLLOW_LINKS);
            if (group != null) {
                view.setGroup(groupPrincipal());
                view.setPermissions(GROUP_READ);
            }
            Files.move(temporary, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    private GroupPrincipal groupPrincipal() throws IOException {
        return FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByGroupName(group);
    }
}

package io.virta.producer.rtp.out;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The SDP file on a hostile file system: owner-only (or group-readable with a group), replaced
 * atomically, and never written through a symbolic link planted where it or its temporary goes.
 */
class SdpFileWriterTest {
    private static final String DESCRIPTION = "v=0\r\ns=gate\r\n";

    private Path directory;
    private Path victim;

    @BeforeEach
    void files() throws IOException {
        directory = Files.createTempDirectory("virta-sdp-writer-");
        victim = Files.writeString(directory.resolve("victim"), "precious");
        Files.setPosixFilePermissions(victim, PosixFilePermissions.fromString("rw-------"));
    }

    @AfterEach
    void clean() throws IOException {
        try (Stream<Path> all = Files.walk(directory)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static SdpFileWriter writer(Path file, String group) {
        return new SdpFileWriter(file, group, "gate", InetAddress.getLoopbackAddress(), 5004, 1, 7);
    }

    private static String mode(Path file) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void ownerOnlyAndReplacedWhole() throws IOException {
        Path sdp = directory.resolve("gate.sdp");
        writer(sdp, null).write(DESCRIPTION);
        assertEquals("rw-------", mode(sdp));
        writer(sdp, null).write(DESCRIPTION + "m=video 5004 RTP/AVP 96\r\n");
        assertEquals(DESCRIPTION + "m=video 5004 RTP/AVP 96\r\n", Files.readString(sdp));
        assertEquals("rw-------", mode(sdp));
        try (Stream<Path> left = Files.list(directory)) {
            assertEquals(2, left.count(), "no temporary file is left behind");
        }
    }

    @Test
    void neverWritesThroughAPlantedLink() throws IOException {
        Path sdp = directory.resolve("gate.sdp");
        Files.createSymbolicLink(sdp, victim);
        // The name the writer used for its temporary file before: a link there was followed.
        Files.createSymbolicLink(directory.resolve(".gate.sdp.tmp"), victim);
        writer(sdp, null).write(DESCRIPTION);
        assertEquals("precious", Files.readString(victim));
        assertEquals("rw-------", mode(victim));
        assertFalse(Files.isSymbolicLink(sdp), "the link itself was replaced");
        assertEquals(DESCRIPTION, Files.readString(sdp));
        assertEquals("rw-------", mode(sdp));
    }

    @Test
    void groupReadableWithAGroup() throws IOException {
        GroupPrincipal mine = Files.readAttributes(victim, PosixFileAttributes.class).group();
        Path sdp = directory.resolve("sub").resolve("gate.sdp");
        writer(sdp, mine.getName()).write(DESCRIPTION);
        assertEquals("rw-r-----", mode(sdp));
        assertEquals(mine, Files.readAttributes(sdp, PosixFileAttributes.class).group());
        assertEquals("rwxr-x---", mode(sdp.getParent()), "a directory it makes is not world-readable");
        assertEquals(mine, Files.readAttributes(sdp.getParent(), PosixFileAttributes.class).group());
    }
}

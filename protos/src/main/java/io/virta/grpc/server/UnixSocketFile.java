package io.virta.grpc.server;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;
import java.util.Optional;

/**
 * Puts a listening Unix-domain socket at its configured path with the right mode from the first moment
 * it is reachable there, and removes it again only while it is still this process's.
 *
 * <ol>
 *   <li>{@link #prepare}: what sits at the path now must be nothing, or a socket nobody answers on (a
 *       stale one from a process that died); a live socket or any other kind of file is refused, never
 *       deleted. The listener is then bound inside a fresh private (0700) directory beside the path.</li>
 *   <li>{@link #publish}: the socket gets its group and mode (0600, or 0660 with a group), and only then
 *       is renamed onto the path, which atomically replaces a stale socket.</li>
 *   <li>{@link #remove}: deletes the path if it is still the socket published (same device and inode);
 *       a successor's socket there is left alone.</li>
 * </ol>
 * Not thread-safe: the endpoint's start and close use it.
 */
final class UnixSocketFile {
    /** sun_path holds 108 bytes; the private directory adds a few characters to the path while binding. */
    private static final int MAX_PATH_BYTES = 80;

    private final Path path;
    private final Optional<String> group;
    private final String setting;
    private final Path bindDirectory;
    private Object fileKey;

    private UnixSocketFile(Path path, Optional<String> group, String setting, Path bindDirectory) {
        this.path = path;
        this.group = group;
        this.setting = setting;
        this.bindDirectory = bindDirectory;
    }

    /**
     * Checks the path and makes the private directory to bind in.
     *
     * @throws IOException naming {@code setting} and saying what to do
     */
    static UnixSocketFile prepare(EndpointAccess.UnixSocket socket, String setting) throws IOException {
        Path path = socket.path().toAbsolutePath().normalize();
        if (path.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_PATH_BYTES) {
            throw new IOException(setting + ": the socket path " + path + " is longer than " + MAX_PATH_BYTES
                    + " bytes, too long for a Unix-domain socket; choose a shorter one, e.g. /run/virta/control.sock");
        }
        Path parent = path.getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw new IOException(setting + ": the directory " + parent + " of the socket does not exist; create it"
                    + " (e.g. mkdir -m 0750 " + parent + ")");
        }
        if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            PosixFileAttributes attributes = Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!attributes.isOther()) {
                throw new IOException(setting + ": " + path + " exists and is not a socket; it is not replaced."
                        + " Move it away or choose another socket path");
            }
            checkStale(path, setting);
        }
        Path directory = Files.createTempDirectory(parent, ".virta-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        return new UnixSocketFile(path, socket.group(), setting, directory);
    }

    /** Where to bind: inside the private directory, where nobody else can connect yet. */
    Path bindPath() {
        return bindDirectory.resolve("s");
    }

    /** Sets the bound socket's group and mode, then renames it onto the configured path. */
    void publish() throws IOException {
        Path bound = bindPath();
        // Following links is safe here, inside the private directory; and chmod(2) by path is what works on
        // a socket (the no-follow variant opens the file, which a socket refuses).
        PosixFileAttributeView view = Files.getFileAttributeView(bound, PosixFileAttributeView.class);
        if (group.isPresent()) {
            GroupPrincipal principal;
            try {
                principal = FileSystems.getDefault().getUserPrincipalLookupService()
                        .lookupPrincipalByGroupName(group.get());
            } catch (IOException e) {
                throw new IOException(setting + ": unknown group '" + group.get() + "': create it, or name an"
                        + " existing group", e);
            }
            try {
                view.setGroup(principal);
            } catch (IOException e) {
                throw new IOException(setting + ": cannot give the socket to group '" + group.get() + "' ("
                        + e.getMessage() + "): this user must be a member of it", e);
            }
            view.setPermissions(PosixFilePermissions.fromString("rw-rw----"));
        } else {
            view.setPermissions(PosixFilePermissions.fromString("rw-------"));
        }
        try {
            Files.move(bound, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException(setting + ": cannot rename the socket into " + path + ": " + e.getMessage(), e);
        }
        fileKey = Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
        deleteDirectory();
    }

    /** The configured path. */
    Path path() {
        return path;
    }

    /** Deletes the socket file if it is still the one published here, and the private directory if left. */
    void remove() {
        try {
            if (fileKey != null) {
                PosixFileAttributes now = Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (Objects.equals(now.fileKey(), fileKey)) {
                    Files.delete(path);
                }
            }
        } catch (NoSuchFileException gone) {
            // someone removed it already
        } catch (IOException e) {
            // best effort: a stale socket is replaced safely by the next start
        }
        deleteDirectory();
    }

    private void deleteDirectory() {
        try {
            Files.deleteIfExists(bindPath());
            Files.deleteIfExists(bindDirectory);
        } catch (IOException e) {
            // best effort: an empty private directory does no harm
        }
    }

    /** Returns only when nobody listens on the socket at {@code path}: connecting is refused outright. */
    private static void checkStale(Path socket, String setting) throws IOException {
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.connect(UnixDomainSocketAddress.of(socket));
        } catch (java.net.ConnectException refused) {
            return;   // stale: left by a process that died
        } catch (IOException e) {
            throw new IOException(setting + ": cannot tell whether " + socket + " is in use (" + e.getMessage()
                    + "); remove it if it is stale, or choose another socket path", e);
        }
        throw new IOException(setting + ": another process is serving on " + socket + " (a producer or hub"
                + " already running?); stop it or choose another socket path");
    }
}

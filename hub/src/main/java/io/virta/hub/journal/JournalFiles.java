package io.virta.hub.journal;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The modes of a journal's directory and files, as for the bus's shared memory: owner only
 * (directory 0700, files 0600) by default, owner and one group (0770/0660) when a group is named.
 *
 * <p>Chronicle creates its files itself with the process's umask, and Java cannot set a umask for
 * one thread. So the directory is made owner/group-only first, which alone keeps everyone else out
 * (they cannot open what is inside), and each file Chronicle creates is then given its mode: those
 * there when the journal opens, and each hour file at the journal's first append into it.
 *
 * <p>Stateless and thread-safe; a file system without POSIX permissions gets no modes (the journal
 * still works).
 */
final class JournalFiles {
    private static final Set<PosixFilePermission> DIR_OWNER = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> DIR_GROUP = PosixFilePermissions.fromString("rwxrwx---");
    private static final Set<PosixFilePermission> FILE_OWNER = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> FILE_GROUP = PosixFilePermissions.fromString("rw-rw----");

    private final GroupPrincipal group;
    private final boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    /**
     * @param group the group that shares the journal; null: the owner only
     * @throws JournalException when there is no such group
     */
    JournalFiles(Path directory, String group) {
        try {
            this.group = group == null ? null
                    : FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByGroupName(group);
        } catch (IOException e) {
            throw new JournalException("event journal " + directory + ": unknown group '" + group
                    + "' (events.journalGroup); create it, or name an existing group", e);
        }
    }

    /** Creates the directory if needed (with its mode from the start) and gives it its mode. */
    void prepareDirectory(Path directory) throws IOException {
        Set<PosixFilePermission> mode = group == null ? DIR_OWNER : DIR_GROUP;
        if (posix && !Files.isDirectory(directory)) {
            Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(mode));
        } else {
            Files.createDirectories(directory);
        }
        restrict(directory, mode);
    }

    /** Gives a file in the journal its mode (and group). */
    void restrictFile(Path file) throws IOException {
        restrict(file, group == null ? FILE_OWNER : FILE_GROUP);
    }

    private void restrict(Path path, Set<PosixFilePermission> mode) throws IOException {
        if (!posix) {
            return;
        }
        if (group != null) {
            Files.setAttribute(path, "posix:group", group);
        }
        Files.setPosixFilePermissions(path, mode);
    }
}

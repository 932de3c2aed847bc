package io.virta.bus.posix;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/** The modes of bus objects: owner-only by default, owner and group when a group is configured. */
final class Permissions {
    static final Set<PosixFilePermission> OWNER_READ_WRITE = PosixFilePermissions.fromString("rw-------");
    static final Set<PosixFilePermission> GROUP_READ_WRITE = PosixFilePermissions.fromString("rw-rw----");

    private Permissions() {
    }

    static GroupPrincipal lookupGroup(String group) throws IOException {
        try {
            return FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByGroupName(group);
        } catch (IOException e) {
            throw new IOException("unknown group '" + group + "': create it, or name an existing group", e);
        }
    }
}

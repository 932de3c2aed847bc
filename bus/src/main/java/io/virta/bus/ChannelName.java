package io.virta.bus;

import java.nio.file.Path;
import java.util.regex.Pattern;

/** Channel names and where they live: docs/bus-format.md section 1. */
public final class ChannelName {
    public static final int MAX_LENGTH = 64;
    public static final String OBJECT_PREFIX = "virta.";
    /**
     * A writer builds its object as {@code /dev/shm/.tmp.virta.NAME.PID.RANDOM} and then renames it to
     * {@code virta.NAME}; {@code virta bus clean} removes those whose PID is dead.
     */
    public static final String TEMPORARY_PREFIX = ".tmp.";
    /** A reader's doorbell semaphore is {@code virta.r.PID.ID}. */
    public static final String DOORBELL_PREFIX = "virta.r.";
    public static final Path SHM_DIR = Path.of("/dev/shm");

    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,63}");

    private ChannelName() {
    }

    /** Throws {@link InvalidChannelNameException} unless {@code name} is a valid channel name. */
    public static String validate(String name) {
        if (name == null || !VALID.matcher(name).matches()) {
            throw new InvalidChannelNameException(name);
        }
        return name;
    }

    /** The shared-memory object of channel {@code name}, for example {@code /dev/shm/virta.lobby.rgb}. */
    public static Path objectPath(String name) {
        return SHM_DIR.resolve(OBJECT_PREFIX + validate(name));
    }
}

package io.virta.hub.validate;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Which camera names the hub accepts events for. Inside the producer: the producer's cameras (as they
 * are now: cameras added over the control API count at once). Standalone: any name a camera could have,
 * or the list given with {@code virta hub --cameras a,b}.
 */
public final class CameraDirectory {
    /** As for channel names: the camera's channels are {@code <camera>.h264}, {@code <camera>.rgb}, ... */
    public static final int MAX_NAME_LENGTH = 59;

    private final Predicate<String> known;
    private final Supplier<? extends Collection<String>> names;

    private CameraDirectory(Predicate<String> known, Supplier<? extends Collection<String>> names) {
        this.known = known;
        this.names = names;
    }

    /** Every syntactically valid camera name: a standalone hub that does not know the cameras. */
    public static CameraDirectory anyValidName() {
        return new CameraDirectory(name -> true, null);
    }

    /** Exactly these cameras. */
    public static CameraDirectory of(Collection<String> cameras) {
        Set<String> set = Set.copyOf(cameras);
        List<String> sorted = set.stream().sorted().toList();
        return new CameraDirectory(set::contains, () -> sorted);
    }

    /**
     * Cameras that change over time, e.g. the producer's: {@code known} answers for a name,
     * {@code names} lists them for error messages.
     */
    public static CameraDirectory live(Predicate<String> known, Supplier<? extends Collection<String>> names) {
        return new CameraDirectory(known, names);
    }

    /** Whether {@code name} could name a camera: what the producer's configuration accepts. */
    public static boolean isValidName(String name) {
        int length = name.length();
        if (length == 0 || length > MAX_NAME_LENGTH) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'
                    || (i > 0 && (c == '.' || c == '-'));
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** Null if {@code camera} is acceptable, else what is wrong with it (without the field name). */
    String problem(String camera) {
        if (camera.isEmpty()) {
            return "is required: the name of the camera whose picture it is";
        }
        if (!isValidName(camera)) {
            return "'" + Text.clip(camera) + "' is not a camera name (letters, digits, '_', then also '.' and '-';"
                    + " at most " + MAX_NAME_LENGTH + " characters)";
        }
        if (!known.test(camera)) {
            Collection<String> list = names == null ? List.of() : names.get();
            return "'" + camera + "' is not a camera of this hub; known cameras: "
                    + (list.isEmpty() ? "none" : Text.clip(String.join(", ", list)));
        }
        return null;
    }
}

package io.virta.producer.config;

import io.virta.bus.layout.ChannelLayout;
import io.virta.bus.layout.ReaderSlotDescriptor;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The shared memory the cameras' channels take, checked against {@code /dev/shm} before any channel
 * exists. Rings are sparse files on a tmpfs: one larger than the room left is created without a
 * complaint and fails only when its pages are first written, far from the setting that caused it.
 * So a configuration is refused up front, naming the camera, the channel and the shortfall.
 *
 * <ul>
 *   <li>At load ({@code --check} and start): the rings of every camera together must fit in the
 *       space free now.</li>
 *   <li>At runtime (AddStream): the new camera's rings must fit in the space free now, and all
 *       running cameras' rings with the new ones in the file system's size (running rings may not
 *       have touched all their pages yet, so free space alone would overstate the room).</li>
 * </ul>
 *
 * <p>Ring sizes follow the bus layout (docs/bus-format.md section 2) with the default reader slots,
 * as the producer creates them. Stateless; any thread.
 */
public final class ShmBudget {
    /** Where the bus keeps its channels. */
    public static final Path SHM = Path.of("/dev/shm");

    private ShmBudget() {
    }

    /** One channel's ring: its name, its size in bytes, and the camera setting that sizes it. */
    public record Ring(String channel, long bytes, String setting) {
    }

    /** What {@code statvfs} says of the file system: bytes free for this user, and its size. */
    public record Space(long free, long total) {
        /** The space of the file system holding {@code dir}. */
        public static Space of(Path dir) throws IOException {
            FileStore store = Files.getFileStore(dir);
            return new Space(store.getUsableSpace(), store.getTotalSpace());
        }
    }

    /**
     * The rings a camera publishes: encoded, then fmp4, yuv and rgb when enabled. The encoded channel
     * is named {@code .h264} here; an H265 camera's {@code .h265} is the same size. A recorded
     * camera's encoded ring is counted at the size its {@code record.bufferSeconds} gave it
     * ({@link CameraConfig.RecordConfig#ringFor}).
     */
    public static List<Ring> rings(CameraConfig camera) {
        List<Ring> rings = new ArrayList<>();
        // A recorded camera's ring is sized from record.bufferSeconds: name that, or its cells look unasked for.
        String encoded = camera.record().enabled()
                ? "encoded, sized for record.bufferSeconds " + camera.record().buffer().toMillis() / 1000.0 + " s"
                : "encoded";
        rings.add(ring(camera.name() + ".h264", encoded, camera.encoded().cells(), camera.encoded().capacityBytes()));
        if (camera.fmp4().enabled()) {
            rings.add(ring(camera.name() + ".mp4", "fmp4", camera.fmp4().cells(), camera.fmp4().capacityBytes()));
        }
        if (camera.yuv().enabled()) {
            rings.add(ring(camera.name() + ".yuv", "yuv", camera.yuv().cells(),
                    (long) camera.yuv().maxWidth() * camera.yuv().maxHeight() * 3 / 2));
        }
        if (camera.rgb().enabled()) {
            rings.add(ring(camera.name() + ".rgb", "rgb", camera.rgb().cells(),
                    (long) camera.rgb().width() * camera.rgb().height() * 3));
        }
        return rings;
    }

    /**
     * Refuses cameras whose rings together do not fit in the space free now.
     *
     * @param where names the source of the cameras in the message, e.g. the configuration file
     */
    public static void checkAll(List<CameraConfig> cameras, Space space, String where) throws ConfigException {
        List<Ring> all = new ArrayList<>();
        for (CameraConfig camera : cameras) {
            all.addAll(rings(camera));
        }
        long needed = sum(all);
        if (needed > space.free()) {
            throw new ConfigException(where + ": the cameras' channels need " + size(needed) + " of " + SHM + " but "
                    + size(space.free()) + " of " + size(space.total()) + " is free: " + size(needed - space.free())
                    + " short. Largest: " + largest(all) + ". " + WHAT_TO_DO);
        }
    }

    /**
     * Refuses a camera added at runtime when its rings do not fit in the space free now, or when the
     * running cameras' rings and its own exceed the file system's size.
     */
    public static void checkAdded(CameraConfig added, List<CameraConfig> running, Space space, String where)
            throws ConfigException {
        List<Ring> own = rings(added);
        long needed = sum(own);
        if (needed > space.free()) {
            throw new ConfigException(where + ": camera " + added.name() + ": its channels need " + size(needed) + " of "
                    + SHM + " but " + size(space.free()) + " is free: " + size(needed - space.free()) + " short. Largest: "
                    + largest(own) + ". " + WHAT_TO_DO);
        }
        long others = 0;
        for (CameraConfig camera : running) {
            others += sum(rings(camera));
        }
        if (others + needed > space.total()) {
            throw new ConfigException(where + ": camera " + added.name() + ": its channels (" + size(needed)
                    + ") and the running cameras' (" + size(others) + ") need more than all of " + SHM + " ("
                    + size(space.total()) + "): " + size(others + needed - space.total()) + " short. Largest of its own: "
                    + largest(own) + ". " + WHAT_TO_DO);
        }
    }

    private static final String WHAT_TO_DO = "Lower that channel's cells or capacity (or its size), turn channels"
            + " off, or enlarge " + SHM + " (e.g. mount -o remount,size=32G /dev/shm)";

    private static Ring ring(String channel, String setting, int cells, long capacity) {
        return new Ring(channel, ChannelLayout.compute(cells, ReaderSlotDescriptor.DEFAULT_SLOTS, capacity).totalSize(),
                setting + ": " + cells + " cells of " + size(capacity));
    }

    private static long sum(List<Ring> rings) {
        long total = 0;
        for (Ring r : rings) {
            total += r.bytes();
        }
        return total;
    }

    private static String largest(List<Ring> rings) {
        Ring max = rings.stream().max(Comparator.comparingLong(Ring::bytes)).orElseThrow();
        return max.channel() + " (" + size(max.bytes()) + ", " + max.setting() + ")";
    }

    /** Bytes for people: 1.5 GiB, 120.0 MiB, 512 KiB. */
    static String size(long bytes) {
        if (bytes >= 1L << 30) {
            return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
        }
        if (bytes >= 1L << 20) {
            return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
        }
        return (bytes + 1023) / 1024 + " KiB";
    }
}

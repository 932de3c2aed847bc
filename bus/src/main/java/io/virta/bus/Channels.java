package io.virta.bus;

import io.virta.bus.layout.ChannelHeaderDescriptor;
import io.virta.bus.layout.ReaderSlotDescriptor;
import io.virta.bus.posix.NamedSemaphore;
import io.virta.bus.posix.Processes;
import io.virta.bus.posix.SharedMemoryObject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** What is on the bus right now, and removal of what crashed processes left behind (docs/bus-format.md 8). */
public final class Channels {
    private Channels() {
    }

    /** One channel as {@code virta bus ls} shows it. */
    public record Info(String name, ChannelType type, int width, int height, int cells, long cellCapacity,
                       int writerPid, String writerState, int readers, long writeSequence, long generation) {
    }

    /** What {@link #clean()} removed. */
    public record CleanReport(List<String> channels, List<String> doorbells, List<String> temporaries) {
    }

    public static List<Info> list() {
        List<Info> infos = new ArrayList<>();
        for (Path path : objects(ChannelName.OBJECT_PREFIX)) {
            String name = path.getFileName().toString().substring(ChannelName.OBJECT_PREFIX.length());
            try (ChannelMemory m = ChannelMemory.attach(name, SharedMemoryObject.openExisting(path))) {
                int readers = 0;
                for (int slot = 0; slot < m.layout.readerSlotCount(); slot++) {
                    if (m.slotState(slot) == ReaderSlotDescriptor.STATE_ACTIVE) {
                        readers++;
                    }
                }
                infos.add(new Info(name, m.type, m.width(), m.height(), m.layout.cellCount(), m.layout.cellCapacity(),
                        m.writerPid(), WriterLiveness.of(m).name().toLowerCase(), readers, m.writeSequence(),
                        m.generation()));
            } catch (IOException | BusException e) {
                infos.add(new Info(name, null, 0, 0, 0, 0, 0, "unreadable: " + e.getMessage(), 0, 0, 0));
            }
        }
        return infos;
    }

    /**
     * Removes channels whose writer is dead, temporary objects and doorbells of dead processes
     * (docs/bus-format.md section 8). A channel is judged and removed under its header lock, and only
     * while its name still refers to it, so a writer replacing it at that moment keeps its new object.
     */
    public static CleanReport clean() {
        List<String> channels = new ArrayList<>();
        for (Path path : objects(ChannelName.OBJECT_PREFIX)) {
            String name = path.getFileName().toString().substring(ChannelName.OBJECT_PREFIX.length());
            if (removeIfAbandoned(name, path)) {
                channels.add(name);
            }
        }
        List<String> temporaries = new ArrayList<>();
        for (Path path : objects(ChannelName.TEMPORARY_PREFIX + ChannelName.OBJECT_PREFIX)) {
            if (!Processes.isAlive(temporaryOwner(path.getFileName().toString())) && delete(path)) {
                temporaries.add(path.getFileName().toString());
            }
        }
        List<String> doorbells = new ArrayList<>();
        for (Path path : objects("sem." + ChannelName.DOORBELL_PREFIX)) {
            String doorbell = path.getFileName().toString().substring("sem.".length());
            if (!Processes.isAlive(doorbellOwner(doorbell)) && NamedSemaphore.unlink(doorbell)) {
                doorbells.add(doorbell);
            }
        }
        return new CleanReport(channels, doorbells, temporaries);
    }

    private static boolean removeIfAbandoned(String name, Path path) {
        SharedMemoryObject object;
        try {
            object = SharedMemoryObject.openExisting(path);
        } catch (IOException e) {
            return false;
        }
        try {
            return ChannelMemory.withHeaderLock(object, () -> {
                if (!object.isNamedBy(path)) {
                    return false;
                }
                try {
                    ChannelMemory m = ChannelMemory.attach(name, object);
                    WriterLiveness liveness = WriterLiveness.of(m);
                    // REPLACED: a new writer is taking the name over right now.
                    if (liveness == WriterLiveness.ALIVE || liveness == WriterLiveness.REPLACED) {
                        return false;
                    }
                    m.state(ChannelHeaderDescriptor.STATE_CLOSED);
                } catch (ChannelCorruptException e) {
                    // Not a channel: nobody can be following it.
                } catch (BusException e) {
                    return false;
                }
                return delete(path);
            }, () -> false);
        } finally {
            object.close();
        }
    }

    /** The pid in {@code .tmp.virta.NAME.PID.RANDOM}: the field before the last, whatever dots NAME has. */
    static int temporaryOwner(String fileName) {
        String[] fields = fileName.split("\\.");
        return fields.length >= 2 ? parsePid(fields[fields.length - 2]) : -1;
    }

    /** The pid in {@code virta.r.PID.ID}. */
    static int doorbellOwner(String doorbell) {
        String[] fields = doorbell.substring(ChannelName.DOORBELL_PREFIX.length()).split("\\.");
        return parsePid(fields[0]);
    }

    private static int parsePid(String text) {
        if (text.isEmpty() || text.length() > 9 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return -1;
        }
        return Integer.parseInt(text);
    }

    private static boolean delete(Path path) {
        try {
            return Files.deleteIfExists(path);
        } catch (IOException e) {
            return false;
        }
    }

    private static List<Path> objects(String prefix) {
        try (Stream<Path> files = Files.list(ChannelName.SHM_DIR)) {
            return files.filter(p -> p.getFileName().toString().startsWith(prefix)).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }
}

package io.virta.bus;

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

/** What is on the bus right now, and removal of what crashed processes left behind (docs/bus-format.md 7). */
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

    /** Removes channels whose writer is dead, temporary objects and doorbells of dead processes. */
    public static CleanReport clean() {
        List<String> channels = new ArrayList<>();
        for (Path path : objects(ChannelName.OBJECT_PREFIX)) {
            String name = path.getFileName().toString().substring(ChannelName.OBJECT_PREFIX.length());
            boolean remove;
            try (ChannelMemory m = ChannelMemory.attach(name, SharedMemoryObject.openExisting(path))) {
                remove = WriterLiveness.of(m) != WriterLiveness.ALIVE;
                if (remove) {
                    m.state(io.virta.bus.layout.ChannelHeaderDescriptor.STATE_CLOSED);
                }
            } catch (ChannelCorruptException e) {
                remove = true;
            } catch (IOException | BusException e) {
                remove = false;
            }
            if (remove && delete(path)) {
                channels.add(name);
            }
        }
        List<String> temporaries = new ArrayList<>();
        for (Path path : objects(".tmp." + ChannelName.OBJECT_PREFIX)) {
            if (!Processes.isAlive(pidAfter(path.getFileName().toString(), 2)) && delete(path)) {
                temporaries.add(path.getFileName().toString());
            }
        }
        List<String> doorbells = new ArrayList<>();
        for (Path path : objects("sem.virta.r.")) {
            String doorbell = path.getFileName().toString().substring("sem.".length());
            if (!Processes.isAlive(pidAfter(doorbell, 2)) && NamedSemaphore.unlink(doorbell)) {
                doorbells.add(doorbell);
            }
        }
        return new CleanReport(channels, doorbells, temporaries);
    }

    /** The pid in a dotted name such as {@code virta.r.PID.ID}: the field after {@code dots} dots. */
    private static int pidAfter(String name, int dots) {
        String[] parts = name.split("\\.");
        for (int i = dots; i < parts.length; i++) {
            if (!parts[i].isEmpty() && parts[i].chars().allMatch(Character::isDigit) && parts[i].length() < 10) {
                return Integer.parseInt(parts[i]);
            }
        }
        return -1;
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

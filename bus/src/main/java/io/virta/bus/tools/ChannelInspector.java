package io.virta.bus.tools;

import io.virta.bus.Channels;

import java.io.PrintStream;

/**
 * Prints {@link Channels#list()} and {@link Channels#clean()} for people: {@code virta bus ls} and
 * {@code virta bus clean}. Each call reads /dev/shm once, on the calling thread, and returns the exit
 * status.
 */
public final class ChannelInspector {
    private ChannelInspector() {
    }

    /** A table of the channels in /dev/shm: type, size, cells, writer and its state, readers, frames. */
    public static int list(PrintStream out) {
        var channels = Channels.list();
        if (channels.isEmpty()) {
            out.println("no channels in /dev/shm");
            return 0;
        }
        out.printf("%-32s %-8s %-10s %5s %11s %8s %-9s %7s %10s%n", "CHANNEL", "TYPE", "SIZE", "CELLS", "CELL BYTES",
                "WRITER", "STATE", "READERS", "FRAMES");
        for (Channels.Info c : channels) {
            out.printf("%-32s %-8s %-10s %5d %11d %8d %-9s %7d %10d%n", c.name(),
                    c.type() == null ? "?" : c.type().name().toLowerCase(),
                    c.width() > 0 ? c.width() + "x" + c.height() : "-", c.cells(), c.cellCapacity(), c.writerPid(),
                    c.writerState(), c.readers(), c.writeSequence());
        }
        return 0;
    }

    /** Removes what dead processes left (channels, unfinished objects, doorbells) and says what it removed. */
    public static int clean(PrintStream out) {
        Channels.CleanReport report = Channels.clean();
        report.channels().forEach(c -> out.println("removed channel " + c));
        report.temporaries().forEach(t -> out.println("removed unfinished object " + t));
        report.doorbells().forEach(d -> out.println("removed doorbell " + d));
        out.println("cleaned " + report.channels().size() + " channels, " + report.doorbells().size() + " doorbells, "
                + report.temporaries().size() + " unfinished objects");
        return 0;
    }
}

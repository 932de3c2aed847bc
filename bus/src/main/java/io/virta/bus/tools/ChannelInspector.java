package io.virta.bus.tools;

import io.virta.bus.Channels;

import java.io.PrintStream;

/** Prints {@link Channels#list()} and {@link Channels#clean()} for people. */
final class ChannelInspector {
    private ChannelInspector() {
    }

    static int list(PrintStream out) {
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

    static int clean(PrintStream out) {
        Channels.CleanReport report = Channels.clean();
        report.channels().forEach(c -> out.println("removed channel " + c));
        report.temporaries().forEach(t -> out.println("removed unfinished object " + t));
        report.doorbells().forEach(d -> out.println("removed doorbell " + d));
        out.println("cleaned " + report.channels().size() + " channels, " + report.doorbells().size() + " doorbells, "
                + report.temporaries().size() + " unfinished objects");
        return 0;
    }
}

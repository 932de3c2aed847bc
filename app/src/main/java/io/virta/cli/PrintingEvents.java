package io.virta.cli;

import io.virta.producer.source.StreamEvents;

import java.time.LocalTime;
import java.time.temporal.ChronoUnit;

/** Prints a camera going online or offline, for the command line. */
final class PrintingEvents implements StreamEvents {
    @Override
    public void onOnline(String camera, boolean overTcp) {
        System.out.println(LocalTime.now().truncatedTo(ChronoUnit.MILLIS) + " " + camera + ": online (RTP over "
                + (overTcp ? "TCP" : "UDP") + ")");
    }

    @Override
    public void onOffline(String camera, String reason) {
        System.out.println(LocalTime.now().truncatedTo(ChronoUnit.MILLIS) + " " + camera + ": offline: " + reason);
    }
}

package io.virta.cli;

import io.virta.bus.tools.Args;
import io.virta.hub.EventHub;
import io.virta.hub.HubServer;
import io.virta.hub.journal.JournalException;
import io.virta.hub.validate.CameraDirectory;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * {@code virta hub}: the event hub on its own, for workers that report to a machine other than the
 * producer's. Prints {@code hub listening on HOST:PORT} once it serves; SIGTERM or Ctrl-C closes the
 * journal and stops it.
 */
final class HubCommand {
    static final String USAGE = """
            usage: virta hub --journal DIR [options]
              --journal DIR          the event journal's directory (created if missing; see docs/events.md)
              --listen HOST:PORT     where to serve virta.events.v1.EventHub (default %s; port 0 picks one)
              --retention-hours H    keep events this many hours (default %d); older hour files are deleted
              --cameras a,b          accept events only for these cameras (default: any valid camera name)
              --journal-group G      share the journal with group G (0770/0660); default: owner only (0700/0600)
            """.formatted(HubServer.DEFAULT_LISTEN, EventHub.DEFAULT_RETENTION.toHours());

    private HubCommand() {
    }

    static int run(String[] argv) throws InterruptedException {
        if (java.util.Arrays.asList(argv).contains("--help")) {
            System.out.print(USAGE);
            return 0;
        }
        String listen;
        EventHub.Options options;
        try {
            Args args = new Args("virta hub", argv, Set.of("listen", "journal", "retention-hours", "cameras",
                    "journal-group"), Set.of());
            listen = args.string("listen", HubServer.DEFAULT_LISTEN);
            String journal = args.string("journal", null);
            if (journal == null) {
                throw new Args.UsageException("virta hub: --journal DIR is required (where events are kept)");
            }
            long hours = args.number("retention-hours", EventHub.DEFAULT_RETENTION.toHours());
            if (hours < 1) {
                throw new Args.UsageException("virta hub: --retention-hours must be at least 1, not " + hours);
            }
            String cameraList = args.string("cameras", null);
            CameraDirectory cameras = cameraList == null ? CameraDirectory.anyValidName()
                    : CameraDirectory.of(cameraNames(cameraList));
            options = EventHub.Options.of(Path.of(journal), cameras).retention(Duration.ofHours(hours))
                    .journalGroup(args.string("journal-group", null));
        } catch (Args.UsageException e) {
            System.err.println("error: " + e.getMessage());
            return 2;
        }
        EventHub hub;
        try {
            hub = EventHub.open(options);
        } catch (JournalException e) {
            System.err.println("error: " + e.getMessage());
            return 1;
        }
        HubServer server;
        try {
            server = HubServer.start(listen, hub);
        } catch (IOException e) {
            hub.close();
            System.err.println("error: " + e.getMessage());
            return 1;
        }
        System.out.println("hub listening on " + server.target());
        System.out.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            // The hub first: it ends the subscriptions, so the server need not wait for them.
            hub.close();
            server.close();
            stopped.countDown();
        }, "virta-hub-shutdown"));
        stopped.await();
        return 0;
    }

    private static List<String> cameraNames(String list) {
        List<String> names = new ArrayList<>();
        for (String name : list.split(",")) {
            String trimmed = name.trim();
            if (!CameraDirectory.isValidName(trimmed)) {
                throw new Args.UsageException("virta hub: --cameras: '" + trimmed + "' is not a camera name (letters,"
                        + " digits, '_', then also '.' and '-'; at most " + CameraDirectory.MAX_NAME_LENGTH + ")");
            }
            names.add(trimmed);
        }
        return names;
    }
}

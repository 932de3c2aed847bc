package io.virta.cli;

import io.virta.bus.tools.Args;
import io.virta.hub.EventHub;
import io.virta.hub.HubServer;
import io.virta.hub.journal.JournalException;
import io.virta.hub.validate.CameraDirectory;
import io.virta.grpc.server.ConnectionLimits;
import io.virta.grpc.server.EndpointAccess;
import io.virta.grpc.server.ServerToken;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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
              --token-file FILE      require the token in FILE (mode 0600) on every call; clients set
                                     VIRTA_TOKEN_FILE or VIRTA_TOKEN (docs/security.md)
              --tls-cert FILE --tls-key FILE
                                     TLS on the TCP listener: certificate chain and PKCS#8 key (PEM);
                                     clients set VIRTA_CA_FILE
              --unix-socket PATH     also listen on this Unix-domain socket (mode 0600; clients: unix:PATH)
              --socket-group G       the socket's group, mode 0660
              --allow-unauthenticated  allow a --listen address beyond loopback without --token-file
              --max-connections N    TCP connections held at most (default %d)
              --idle-seconds S       close a connection without calls after S seconds (default %d)
            """.formatted(HubServer.DEFAULT_LISTEN, EventHub.DEFAULT_RETENTION.toHours(),
            ConnectionLimits.DEFAULT_MAX_CONNECTIONS, ConnectionLimits.DEFAULT_MAX_CONNECTION_IDLE.toSeconds());

    private HubCommand() {
    }

    static int run(String[] argv) throws InterruptedException {
        if (java.util.Arrays.asList(argv).contains("--help")) {
            System.out.print(USAGE);
            return 0;
        }
        String listen;
        EventHub.Options options;
        EndpointAccess access;
        ConnectionLimits limits;
        try {
            Args args = new Args("virta hub", argv, Set.of("listen", "journal", "retention-hours", "cameras",
                    "token-file", "tls-cert", "tls-key", "unix-socket", "socket-group", "max-connections",
                    "idle-seconds", "journal-group"), Set.of("allow-unauthenticated"));
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
            access = access(args);
            long max = args.number("max-connections", ConnectionLimits.DEFAULT_MAX_CONNECTIONS);
            double idle = args.decimal("idle-seconds", ConnectionLimits.DEFAULT_MAX_CONNECTION_IDLE.toSeconds());
            if (max < 1 || max > 100_000 || !(idle >= 1 && idle <= 86_400)) {
                throw new Args.UsageException("virta hub: --max-connections must be 1..100000 and --idle-seconds"
                        + " 1..86400");
            }
            limits = ConnectionLimits.DEFAULTS.withMaxConnections((int) max)
                    .withMaxConnectionIdle(Duration.ofMillis((long) (idle * 1000)));
        } catch (Args.UsageException | IllegalArgumentException e) {
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
            server = HubServer.start(listen, access, limits, hub);
        } catch (IOException e) {
            hub.close();
            System.err.println("error: " + e.getMessage());
            return 1;
        }
        System.out.println("hub listening on " + server.target());
        System.out.println("hub access: " + (access.token().isPresent() ? "token required" : "no token")
                + (access.tls().isPresent() ? ", TLS" : ", plaintext")
                + server.endpoint().unixSocket().map(p -> ", also on unix:" + p).orElse(""));
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

    /** --token-file, --tls-cert/--tls-key, --unix-socket/--socket-group, --allow-unauthenticated. */
    private static EndpointAccess access(Args args) {
        EndpointAccess access = EndpointAccess.LOOPBACK_ONLY.allowingUnauthenticated(args.flag("allow-unauthenticated"));
        String tokenFile = args.string("token-file", null);
        if (tokenFile != null) {
            access = access.withToken(ServerToken.fromFile(Path.of(tokenFile), "virta hub: --token-file"));
        }
        String cert = args.string("tls-cert", null);
        String key = args.string("tls-key", null);
        if ((cert == null) != (key == null)) {
            throw new Args.UsageException("virta hub: TLS needs both --tls-cert FILE and --tls-key FILE");
        }
        if (cert != null) {
            access = access.withTls(new EndpointAccess.TlsFiles(Path.of(cert), Path.of(key)));
        }
        String socket = args.string("unix-socket", null);
        String group = args.string("socket-group", null);
        if (socket != null) {
            access = access.withUnixSocket(new EndpointAccess.UnixSocket(Path.of(socket), Optional.ofNullable(group)));
        } else if (group != null) {
            throw new Args.UsageException("virta hub: --socket-group applies only with --unix-socket PATH");
        }
        return access;
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

package io.virta.cli;

import io.virta.hub.EventHub;
import io.virta.hub.HubServer;
import io.virta.hub.journal.JournalException;
import io.virta.hub.validate.CameraDirectory;
import io.virta.grpc.server.ConnectionLimits;
import io.virta.grpc.server.EndpointAccess;
import io.virta.grpc.server.ServerToken;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code virta hub}: the event hub on its own, for workers that report to a machine other than the
 * producer's. Prints {@code hub listening on HOST:PORT} once it serves; SIGTERM or Ctrl-C closes the
 * journal and stops it.
 */
@Command(name = "hub", description = "Run the event hub on its own, for workers on other machines (docs/events.md).",
        customSynopsis = "virta hub --journal DIR [OPTIONS]")
final class HubCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Option(names = "--journal", paramLabel = "DIR",
            description = "the event journal's directory (created if missing; see docs/events.md); required")
    Optional<Path> journal = Optional.empty();
    @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = HubServer.DEFAULT_LISTEN,
            description = "where to serve virta.events.v1.EventHub (default ${DEFAULT-VALUE}; port 0 picks one)")
    String listen;
    @Option(names = "--retention-hours", paramLabel = "H",
            description = "keep events this many hours (default ${DEFAULT-VALUE}); older hour files are deleted")
    long retentionHours = EventHub.DEFAULT_RETENTION.toHours();
    @Option(names = "--cameras", paramLabel = "a,b",
            description = "accept events only for these cameras (default: any valid camera name)")
    Optional<String> cameras = Optional.empty();
    @Option(names = "--journal-group", paramLabel = "G",
            description = "share the journal with group G (0770/0660); default: owner only (0700/0600)")
    Optional<String> journalGroup = Optional.empty();
    @Option(names = "--token-file", paramLabel = "FILE", description = "require the token in FILE (mode 0600) on"
            + " every call; clients set VIRTA_TOKEN_FILE or VIRTA_TOKEN (docs/security.md)")
    Optional<Path> tokenFile = Optional.empty();
    @Option(names = "--tls-cert", paramLabel = "FILE",
            description = "TLS on the TCP listener, with --tls-key: the certificate chain (PEM); clients set VIRTA_CA_FILE")
    Optional<Path> tlsCert = Optional.empty();
    @Option(names = "--tls-key", paramLabel = "FILE", description = "the TLS listener's PKCS#8 key (PEM)")
    Optional<Path> tlsKey = Optional.empty();
    @Option(names = "--unix-socket", paramLabel = "PATH",
            description = "also listen on this Unix-domain socket (mode 0600; clients: unix:PATH)")
    Optional<Path> unixSocket = Optional.empty();
    @Option(names = "--socket-group", paramLabel = "G", description = "the socket's group, mode 0660")
    Optional<String> socketGroup = Optional.empty();
    @Option(names = "--allow-unauthenticated",
            description = "allow a --listen address beyond loopback without --token-file")
    boolean allowUnauthenticated;
    @Option(names = "--max-connections", paramLabel = "N",
            description = "TCP connections held at most (default ${DEFAULT-VALUE})")
    long maxConnections = ConnectionLimits.DEFAULT_MAX_CONNECTIONS;
    @Option(names = "--idle-seconds", paramLabel = "S",
            description = "close a connection without calls after S seconds (default ${DEFAULT-VALUE})")
    double idleSeconds = ConnectionLimits.DEFAULT_MAX_CONNECTION_IDLE.toSeconds();

    @Override
    public Integer call() throws InterruptedException {
        Path journalDir = journal.orElseThrow(() -> UsageErrors.error(spec, "--journal DIR is required (where events"
                + " are kept)"));
        if (retentionHours < 1) {
            throw UsageErrors.error(spec, "--retention-hours must be at least 1, not " + retentionHours);
        }
        if (maxConnections < 1 || maxConnections > 100_000 || !(idleSeconds >= 1 && idleSeconds <= 86_400)) {
            throw UsageErrors.error(spec, "--max-connections must be 1..100000 and --idle-seconds 1..86400");
        }
        EventHub.Options options;
        EndpointAccess access;
        ConnectionLimits limits;
        try {
            CameraDirectory directory = cameras.isEmpty() ? CameraDirectory.anyValidName()
                    : CameraDirectory.of(cameraNames(cameras.get()));
            options = EventHub.Options.of(journalDir, directory).retention(Duration.ofHours(retentionHours))
                    .journalGroup(journalGroup.orElse(null));
            access = access();
            limits = ConnectionLimits.DEFAULTS.withMaxConnections((int) maxConnections)
                    .withMaxConnectionIdle(Duration.ofMillis((long) (idleSeconds * 1000)));
        } catch (IllegalArgumentException e) {
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
    private EndpointAccess access() {
        EndpointAccess access = EndpointAccess.LOOPBACK_ONLY.allowingUnauthenticated(allowUnauthenticated);
        if (tokenFile.isPresent()) {
            access = access.withToken(ServerToken.fromFile(tokenFile.get(), "virta hub: --token-file"));
        }
        if (tlsCert.isPresent() != tlsKey.isPresent()) {
            throw UsageErrors.error(spec, "TLS needs both --tls-cert FILE and --tls-key FILE");
        }
        if (tlsCert.isPresent()) {
            access = access.withTls(new EndpointAccess.TlsFiles(tlsCert.get(), tlsKey.get()));
        }
        if (unixSocket.isPresent()) {
            access = access.withUnixSocket(new EndpointAccess.UnixSocket(unixSocket.get(), socketGroup));
        } else if (socketGroup.isPresent()) {
            throw UsageErrors.error(spec, "--socket-group applies only with --unix-socket PATH");
        }
        return access;
    }

    private List<String> cameraNames(String list) {
        List<String> names = new ArrayList<>();
        for (String name : list.split(",")) {
            String trimmed = name.trim();
            if (!CameraDirectory.isValidName(trimmed)) {
                throw UsageErrors.error(spec, "--cameras: '" + trimmed + "' is not a camera name (letters, digits, '_',"
                        + " then also '.' and '-'; at most " + CameraDirectory.MAX_NAME_LENGTH + ")");
            }
            names.add(trimmed);
        }
        return names;
    }
}

package io.virta.grpc.server;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.virta.hub.EventHub;
import io.virta.hub.EventHubService;
import io.virta.hub.validate.CameraDirectory;
import io.virta.producer.config.ConfigException;
import io.virta.producer.config.ControlConfig;
import io.virta.producer.config.ProducerConfig;
import io.virta.producer.control.ControlServer;
import io.virta.producer.daemon.Producer;
import io.virta.producer.source.StreamEvents;
import io.virta.protos.control.v1.ListStreamsRequest;
import io.virta.protos.control.v1.ProducerControlGrpc;
import io.virta.protos.events.v1.EventHubGrpc;
import io.virta.protos.events.v1.QueryRequest;
import io.virta.grpc.ClientSecurity;
import io.virta.grpc.GrpcChannels;
import io.virta.grpc.GrpcTarget;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Who may use the control API and the event hub, against the real endpoint (the producer's control
 * server with the hub beside it) and real gRPC clients: the token on every call, TLS from files made by
 * openssl here, the Unix-domain socket and its file mode, and the refusal to listen beyond loopback
 * without a token.
 */
@Timeout(60)
class EndpointAccessTest {
    @TempDir
    Path dir;

    private final String token = HexFormat.of().formatHex(randomBytes());
    private Path tokenFile;
    private Producer producer;
    private EventHub hub;
    private final List<ManagedChannel> channels = new java.util.ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        tokenFile = dir.resolve("token");
        Files.writeString(tokenFile, token + "\n");
        Files.setPosixFilePermissions(tokenFile, PosixFilePermissions.fromString("rw-------"));
        producer = new Producer(ProducerConfig.parse("""
                cameras:
                  - name: gate
                    url: rtsp://127.0.0.1:9/nobody-listens
                """, "test"), StreamEvents.NONE);
        hub = EventHub.open(EventHub.Options.of(dir.resolve("journal"), CameraDirectory.anyValidName()));
    }

    @AfterEach
    void tearDown() throws Exception {
        for (ManagedChannel channel : channels) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        hub.close();
        producer.close();
    }

    @Test
    void everyCallNeedsTheTokenAndARefusalSaysHowToSendIt() throws Exception {
        try (ControlServer control = start(config("127.0.0.1:0", "tokenFile: " + tokenFile))) {
            GrpcTarget target = GrpcTarget.parse(control.target(), "test");

            StatusRuntimeException missing = assertThrows(StatusRuntimeException.class,
                    () -> listStreams(target.with(ClientSecurity.NONE)));
            assertEquals(Status.Code.UNAUTHENTICATED, missing.getStatus().getCode());
            assertTrue(missing.getStatus().getDescription().contains("authorization: Bearer <token>")
                    && missing.getStatus().getDescription().contains("VIRTA_TOKEN_FILE"), missing.getMessage());

            String wrong = "wrong" + HexFormat.of().formatHex(randomBytes());
            StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                    () -> listStreams(target.with(ClientSecurity.token(wrong))));
            assertEquals(Status.Code.UNAUTHENTICATED, refused.getStatus().getCode());
            assertFalse(refused.getMessage().contains(wrong), "the refusal repeats the token sent");
            assertFalse(refused.getMessage().contains(token), "the refusal shows the server's token");
            // The hub on the same port is guarded the same way.
            StatusRuntimeException hubRefused = assertThrows(StatusRuntimeException.class,
                    () -> query(target.with(ClientSecurity.token(wrong))));
            assertEquals(Status.Code.UNAUTHENTICATED, hubRefused.getStatus().getCode());

            assertStreams(listStreams(target.with(ClientSecurity.token(token))));
            query(target.with(ClientSecurity.token(token)));
            assertEquals(3, control.endpoint().unauthenticatedCalls());
            assertEquals(Map.of(ClientSecurity.TOKEN_FILE_ENV, tokenFile.toAbsolutePath().toString()),
                    control.clientEnvironment(), "supervised workers get the file's path, not the token");
        }
    }

    @Test
    void listeningBeyondLoopbackNeedsATokenOrAnExplicitSetting() throws Exception {
        IOException e = assertThrows(IOException.class, () -> start(config("0.0.0.0:0", "")));
        assertTrue(e.getMessage().contains("control.tokenFile") && e.getMessage().contains("allowUnauthenticated")
                && e.getMessage().contains("docs/security.md"), e.getMessage());
        try (ControlServer withToken = start(config("0.0.0.0:0", "tokenFile: " + tokenFile))) {
            assertTrue(withToken.port() > 0);
        }
        try (ControlServer allowed = start(config("0.0.0.0:0", "allowUnauthenticated: true"))) {
            assertTrue(allowed.port() > 0);
        }
    }

    @Test
    void aTokenFileOthersCanReadAndUnusableTokensAreRefusedAtLoad() throws Exception {
        Files.setPosixFilePermissions(tokenFile, PosixFilePermissions.fromString("rw-r--r--"));
        ConfigException open = assertThrows(ConfigException.class, () -> config("127.0.0.1:0", "tokenFile: " + tokenFile));
        assertTrue(open.getMessage().contains("control.tokenFile") && open.getMessage().contains("chmod 600"),
                open.getMessage());
        ConfigException both = assertThrows(ConfigException.class,
                () -> config("127.0.0.1:0", "tokenFile: " + tokenFile + "\n  token: " + token));
        assertTrue(both.getMessage().contains("not both"), both.getMessage());
        ConfigException shortToken = assertThrows(ConfigException.class, () -> config("127.0.0.1:0", "token: abc"));
        assertTrue(shortToken.getMessage().contains("control.token") && shortToken.getMessage().contains("openssl rand"),
                shortToken.getMessage());
        assertFalse(shortToken.getMessage().contains("abc"), "the error shows the token");
    }

    @Test
    void theUnixSocketIsOwnerOnlyReplacesAStaleSocketAndGoesAwayOnClose() throws Exception {
        Path socket = dir.resolve("control.sock");
        // A stale socket file, as a process that died leaves it: bound once, nobody listening now.
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(socket));
        }
        assertTrue(Files.exists(socket, LinkOption.NOFOLLOW_LINKS));
        try (ControlServer control = start(config("127.0.0.1:0", "tokenFile: " + tokenFile
                + "\n  unixSocket: { path: " + socket + " }"))) {
            PosixFileAttributes attributes = Files.readAttributes(socket, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            assertTrue(attributes.isOther(), "a socket");
            assertEquals("rw-------", PosixFilePermissions.toString(attributes.permissions()));
            assertEquals("unix:" + socket, control.localTarget());
            GrpcTarget unix = GrpcTarget.parse("unix:" + socket, "test");
            assertStreams(listStreams(unix.with(ClientSecurity.token(token))));
            StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                    () -> listStreams(unix.with(ClientSecurity.NONE)));
            assertEquals(Status.Code.UNAUTHENTICATED, refused.getStatus().getCode(), "the token applies on the socket too");

            // A second server on the same path finds it live and leaves it alone.
            IOException live = assertThrows(IOException.class, () -> start(config("127.0.0.1:0",
                    "tokenFile: " + tokenFile + "\n  unixSocket: { path: " + socket + " }")));
            assertTrue(live.getMessage().contains("another process is serving"), live.getMessage());
            assertStreams(listStreams(unix.with(ClientSecurity.token(token))));
        }
        assertFalse(Files.exists(socket, LinkOption.NOFOLLOW_LINKS), "the socket file is removed on close");
        try (var left = Files.list(dir)) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().startsWith(".virta-")), "no bind directory left");
        }
    }

    @Test
    void aFileThatIsNotASocketIsNeverReplaced() throws Exception {
        Path notASocket = dir.resolve("precious.txt");
        Files.writeString(notASocket, "keep me");
        IOException e = assertThrows(IOException.class, () -> start(config("127.0.0.1:0",
                "unixSocket: { path: " + notASocket + " }")));
        assertTrue(e.getMessage().contains("control.unixSocket") && e.getMessage().contains("not a socket"), e.getMessage());
        assertEquals("keep me", Files.readString(notASocket));
    }

    @Test
    void aSocketGroupGivesMode0660() throws Exception {
        Path socket = dir.resolve("group.sock");
        String group = Files.readAttributes(tokenFile, PosixFileAttributes.class).group().getName();
        try (ControlServer control = start(config("127.0.0.1:0",
                "unixSocket: { path: " + socket + ", group: " + group + " }"))) {
            PosixFileAttributes attributes = Files.readAttributes(socket, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            assertEquals("rw-rw----", PosixFilePermissions.toString(attributes.permissions()));
            assertEquals(group, attributes.group().getName());
            assertStreams(listStreams(GrpcTarget.parse(control.localTarget(), "t").with(ClientSecurity.NONE)));
        }
    }

    @Test
    void tlsFromCertificateFilesWithTheTokenInside() throws Exception {
        Path cert = dir.resolve("server.crt");
        Path key = dir.resolve("server.key");
        openssl(cert, key, "virta-test");
        Path otherCert = dir.resolve("other.crt");
        openssl(otherCert, dir.resolve("other.key"), "someone-else");
        try (ControlServer control = start(config("127.0.0.1:0", "tokenFile: " + tokenFile
                + "\n  tls: { certificate: " + cert + ", privateKey: " + key + " }"))) {
            GrpcTarget target = GrpcTarget.parse(control.target(), "test");
            assertStreams(listStreams(target.with(ClientSecurity.token(token).withCaFile(cert))));
            query(target.with(ClientSecurity.token(token).withCaFile(cert)));

            StatusRuntimeException plaintext = assertThrows(StatusRuntimeException.class,
                    () -> listStreams(target.with(ClientSecurity.token(token))));
            assertEquals(Status.Code.UNAVAILABLE, plaintext.getStatus().getCode(), plaintext.getMessage());
            StatusRuntimeException untrusted = assertThrows(StatusRuntimeException.class,
                    () -> listStreams(target.with(ClientSecurity.token(token).withCaFile(otherCert))));
            assertEquals(Status.Code.UNAVAILABLE, untrusted.getStatus().getCode(), untrusted.getMessage());
            assertEquals(cert.toAbsolutePath().toString(), control.clientEnvironment().get(ClientSecurity.CA_FILE_ENV));
        }
    }

    /** A self-signed certificate for 127.0.0.1 and its PKCS#8 key, made by the openssl command. */
    static void openssl(Path cert, Path key, String name) throws Exception {
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key.toString(), "-out", cert.toString(),
                "-days", "2", "-subj", "/CN=" + name, "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost")
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), output);
    }

    private ProducerConfig config(String listen, String controlLines) throws ConfigException {
        return ProducerConfig.parse("""
                control:
                  listen: "%s"
                  %s
                cameras:
                  - name: gate
                    url: rtsp://127.0.0.1:9/nobody-listens
                """.formatted(listen, controlLines), "test");
    }

    private ControlServer start(ProducerConfig config) throws IOException {
        ControlConfig control = config.control();
        return ControlServer.start(control, producer, new EventHubService(hub));
    }

    private List<String> listStreams(GrpcTarget target) {
        ManagedChannel channel = GrpcChannels.open(target);
        channels.add(channel);
        return ProducerControlGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .listStreams(ListStreamsRequest.getDefaultInstance()).getStreamsList().stream()
                .map(s -> s.getName()).toList();
    }

    private void query(GrpcTarget target) {
        ManagedChannel channel = GrpcChannels.open(target);
        channels.add(channel);
        EventHubGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .query(QueryRequest.getDefaultInstance()).forEachRemaining(r -> { });
    }

    /** The producer is not started, so it lists no streams; the call went through. */
    private static void assertStreams(List<String> streams) {
        assertEquals(List.of(), streams);
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[20];
        ThreadLocalRandom.current().nextBytes(b);
        return b;
    }
}

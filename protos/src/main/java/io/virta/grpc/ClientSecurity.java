package io.virta.grpc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * What a client presents to a Virta gRPC endpoint (the control API, the event hub): a token sent as
 * {@code authorization: Bearer <token>} metadata on every call, and a CA certificate file that turns
 * on TLS and is the only CA trusted for the server's certificate. Both are optional; without either the
 * client talks plaintext and unauthenticated, as to a loopback endpoint with the default settings.
 *
 * <p>Every Virta client reads them from its environment ({@link #fromEnvironment()}), so that a token
 * never has to appear on a command line (where {@code ps} shows it):
 * <ul>
 *   <li>{@value #TOKEN_ENV}: the token itself;</li>
 *   <li>{@value #TOKEN_FILE_ENV}: a file holding it (surrounding whitespace is ignored), used when
 *       {@value #TOKEN_ENV} is not set;</li>
 *   <li>{@value #CA_FILE_ENV}: a PEM file of the CA that signed the server's certificate.</li>
 * </ul>
 *
 * <p>Immutable and thread-safe. {@link #toString()} never shows the token.
 *
 * <pre>{@code
 * ClientSecurity security = ClientSecurity.fromEnvironment();            // VIRTA_TOKEN / VIRTA_TOKEN_FILE / VIRTA_CA_FILE
 * GrpcTarget control = GrpcTarget.parse("127.0.0.1:50051", "--control").with(security);
 * }</pre>
 */
public final class ClientSecurity {
    public static final String TOKEN_ENV = "VIRTA_TOKEN";
    public static final String TOKEN_FILE_ENV = "VIRTA_TOKEN_FILE";
    public static final String CA_FILE_ENV = "VIRTA_CA_FILE";
    /** No token, plaintext. */
    public static final ClientSecurity NONE = new ClientSecurity(null, null);

    private final String token;
    private final Path caFile;

    private ClientSecurity(String token, Path caFile) {
        this.token = token;
        this.caFile = caFile;
    }

    /** Sends {@code token} on every call (plaintext unless {@link #withCaFile} is also given). */
    public static ClientSecurity token(String token) {
        return NONE.withToken(token);
    }

    public ClientSecurity withToken(String token) {
        return new ClientSecurity(checkToken(token, "the token"), caFile);
    }

    /** Talks TLS, trusting only the CA certificate(s) in the PEM file {@code caFile}. */
    public ClientSecurity withCaFile(Path caFile) {
        return new ClientSecurity(token, caFile);
    }

    /** Read from this process's environment; see the class comment. */
    public static ClientSecurity fromEnvironment() {
        return fromEnvironment(System.getenv());
    }

    /**
     * Read from {@code env} ({@value #TOKEN_ENV}, {@value #TOKEN_FILE_ENV}, {@value #CA_FILE_ENV}).
     *
     * @throws IllegalArgumentException naming the variable when a file cannot be read or a value is unusable
     */
    public static ClientSecurity fromEnvironment(Map<String, String> env) {
        String token = blankToNull(env.get(TOKEN_ENV));
        if (token != null) {
            checkToken(token, TOKEN_ENV);
        } else {
            String file = blankToNull(env.get(TOKEN_FILE_ENV));
            if (file != null) {
                token = readTokenFile(Path.of(file), TOKEN_FILE_ENV);
            }
        }
        String ca = blankToNull(env.get(CA_FILE_ENV));
        Path caFile = null;
        if (ca != null) {
            caFile = Path.of(ca);
            if (!Files.isReadable(caFile)) {
                throw new IllegalArgumentException(CA_FILE_ENV + ": cannot read the CA certificate file " + caFile
                        + ": point it at the PEM file of the CA that signed the server's certificate");
            }
        }
        return new ClientSecurity(token, caFile);
    }

    /**
     * The token in {@code file}, surrounding whitespace removed. {@code setting} names where the path
     * came from in errors. The token itself never appears in a message.
     */
    public static String readTokenFile(Path file, String setting) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(setting + ": cannot read the token file " + file + " ("
                    + e.getClass().getSimpleName() + "): check the path and that this user may read it");
        }
        return checkToken(text.strip(), setting + " (" + file + ")");
    }

    /** A token is 16..4096 printable ASCII characters without spaces: it travels in an HTTP/2 header. */
    public static String checkToken(String token, String what) {
        if (token == null || token.length() < 16 || token.length() > 4096
                || token.chars().anyMatch(c -> c <= ' ' || c > '~')) {
            throw new IllegalArgumentException(what + ": a token is 16..4096 printable ASCII characters without"
                    + " spaces; make one with: openssl rand -hex 32");
        }
        return token;
    }

    public Optional<String> token() {
        return Optional.ofNullable(token);
    }

    public Optional<Path> caFile() {
        return Optional.ofNullable(caFile);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    @Override
    public String toString() {
        return (token == null ? "no token" : "token <hidden>") + ", " + (caFile == null ? "plaintext" : "TLS (CA " + caFile + ")");
    }
}

package io.virta.grpc.server;

import io.virta.grpc.ClientSecurity;
import io.virta.grpc.GrpcChannels;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.Set;

/**
 * The token a gRPC endpoint requires on every call ({@code authorization: Bearer <token>}). Only its
 * SHA-256 digest is kept besides where it came from, and {@link #matches} compares digests with
 * {@link MessageDigest#isEqual}, so the time a check takes tells nothing about the token.
 * {@link #toString()} never shows it.
 *
 * <p>From a file ({@link #fromFile}): the file must not be readable by others (mode 0600 or 0640), so
 * that a token on a shared machine is not there for every user to read. Immutable, thread-safe.
 */
public final class ServerToken {
    private final byte[] digest;
    /** How supervised workers get the same token, never on their command line. */
    private final Map<String, String> clientEnvironment;
    private final String source;

    private ServerToken(String token, Map<String, String> clientEnvironment, String source) {
        this.digest = sha256(GrpcChannels.BEARER + token);
        this.clientEnvironment = clientEnvironment;
        this.source = source;
    }

    /**
     * The token written inline in a setting ({@code setting} names it in errors).
     *
     * @throws IllegalArgumentException when it is too short or has spaces or non-ASCII characters
     */
    public static ServerToken inline(String token, String setting) {
        checkToken(token, setting);
        return new ServerToken(token, Map.of(ClientSecurity.TOKEN_ENV, token), setting);
    }

    /**
     * The token in {@code file} (whitespace around it ignored).
     *
     * @throws IllegalArgumentException naming {@code setting} and the file when it cannot be read, is
     *                                  readable by others, or holds no usable token
     */
    public static ServerToken fromFile(Path file, String setting) {
        try {
            // Following links: mounted secrets are often symbolic links to the file itself.
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
            if (mode.contains(PosixFilePermission.OTHERS_READ)) {
                throw new IllegalArgumentException(setting + ": the token file " + file + " is readable by every user;"
                        + " make it private: chmod 600 " + file);
            }
        } catch (IOException | UnsupportedOperationException e) {
            throw new IllegalArgumentException(setting + ": cannot read the token file " + file + " ("
                    + e.getClass().getSimpleName() + "): check the path and that this user may read it");
        }
        String token = ClientSecurity.readTokenFile(file, setting);
        return new ServerToken(token, Map.of(ClientSecurity.TOKEN_FILE_ENV, file.toAbsolutePath().toString()), setting);
    }

    private static void checkToken(String token, String setting) {
        // The same rule as the clients', so that a token the server takes is one every client can send.
        ClientSecurity.checkToken(token, setting);
    }

    /** Whether {@code authorization} (the header's whole value, or null) is {@code Bearer <this token>}. */
    public boolean matches(String authorization) {
        if (authorization == null) {
            return false;
        }
        return MessageDigest.isEqual(digest, sha256(authorization));
    }

    /**
     * The variables that hand this token to a client process: {@code VIRTA_TOKEN_FILE} for a token from
     * a file (so the token is not even in the child's environment), {@code VIRTA_TOKEN} for an inline one.
     */
    public Map<String, String> clientEnvironment() {
        return clientEnvironment;
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return "token <hidden> from " + source;
    }
}

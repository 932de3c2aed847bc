package io.virta.worker.attach;

import io.virta.grpc.ClientSecurity;
import io.virta.grpc.GrpcTarget;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How a client finds its token and CA in the environment, and how addresses of both kinds parse. */
class ClientSecurityTest {
    private static final String TOKEN = "0123456789abcdef0123456789abcdef";

    @Test
    void theTokenComesFromTheVariableOrElseTheFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("token");
        Files.writeString(file, "  fedcba9876543210fedcba9876543210\n");
        assertEquals(Optional.of("fedcba9876543210fedcba9876543210"),
                ClientSecurity.fromEnvironment(Map.of(ClientSecurity.TOKEN_FILE_ENV, file.toString())).token());
        assertEquals(Optional.of(TOKEN), ClientSecurity.fromEnvironment(Map.of(ClientSecurity.TOKEN_ENV, TOKEN,
                ClientSecurity.TOKEN_FILE_ENV, file.toString())).token(), "VIRTA_TOKEN wins");
        assertEquals(Optional.empty(), ClientSecurity.fromEnvironment(Map.of()).token());
        assertEquals(Optional.empty(), ClientSecurity.fromEnvironment(Map.of()).caFile());
    }

    @Test
    void unusableSettingsNameTheVariableAndNeverShowTheToken(@TempDir Path dir) {
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> ClientSecurity
                .fromEnvironment(Map.of(ClientSecurity.TOKEN_FILE_ENV, dir.resolve("nothing").toString())));
        assertTrue(missing.getMessage().startsWith("VIRTA_TOKEN_FILE: cannot read the token file"), missing.getMessage());
        IllegalArgumentException spaces = assertThrows(IllegalArgumentException.class,
                () -> ClientSecurity.fromEnvironment(Map.of(ClientSecurity.TOKEN_ENV, "has spaces in it, secret!")));
        assertTrue(spaces.getMessage().startsWith("VIRTA_TOKEN: a token is 16..4096"), spaces.getMessage());
        assertFalse(spaces.getMessage().contains("secret"), spaces.getMessage());
        IllegalArgumentException ca = assertThrows(IllegalArgumentException.class, () -> ClientSecurity
                .fromEnvironment(Map.of(ClientSecurity.CA_FILE_ENV, dir.resolve("ca.pem").toString())));
        assertTrue(ca.getMessage().startsWith("VIRTA_CA_FILE: cannot read"), ca.getMessage());
        assertFalse(ClientSecurity.token(TOKEN).toString().contains(TOKEN));
    }

    @Test
    void targetsAreHostPortOrAUnixSocket() {
        GrpcTarget unix = GrpcTarget.parse("unix:/run/virta/control.sock", "--control");
        assertEquals(Optional.of(Path.of("/run/virta/control.sock")), unix.socket());
        assertEquals("unix:/run/virta/control.sock", unix.target());
        assertEquals(unix.target(), GrpcTarget.parse("unix:///run/virta/control.sock", "--control").target());
        assertThrows(IllegalStateException.class, unix::port);
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
                () -> GrpcTarget.parse("unix:", "--hub"));
        assertTrue(empty.getMessage().startsWith("--hub:"), empty.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GrpcTarget.parseHostPort("unix:/x", "destination"));
        assertEquals("127.0.0.1:50051", GrpcTarget.parse("127.0.0.1:50051", "--control").target());
    }
}

package io.virta.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code virta producer --config FILE [--check]} on configurations that cannot work: each is refused
 * before any camera starts, with one line that names the setting and says what to do (no stack trace).
 * In-process: {@link Virta#run} with standard output and error captured.
 */
class ProducerConfigErrorsTest {
    @TempDir
    Path dir;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream savedOut;
    private PrintStream savedErr;

    @BeforeEach
    void capture() {
        savedOut = System.out;
        savedErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setOut(savedOut);
        System.setErr(savedErr);
    }

    private int producer(String yaml, String... more) throws Exception {
        Path file = dir.resolve("cameras.yaml");
        Files.writeString(file, yaml);
        String[] args = new String[2 + more.length];
        args[0] = "--config";
        args[1] = file.toString();
        System.arraycopy(more, 0, args, 2, more.length);
        return Virta.run(Virta.command("producer", args));
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aMisspeltSchemeIsRefusedWithTheLikelyOne() throws Exception {
        assertEquals(2, producer("cameras:\n  - name: lobby\n    url: rtps://10.0.0.5/stream1\n", "--check"));
        assertTrue(err().contains("cameras[0].url") && err().contains("did you mean rtsp://?"), err());
        assertFalse(out.toString(StandardCharsets.UTF_8).contains("configuration ok"));
    }

    @Test
    void anEmptyFileIsRefusedWithAnExample() throws Exception {
        for (String empty : new String[] {"", "# nothing yet\n", "cameras:\n"}) {
            err.reset();
            assertEquals(2, producer(empty, "--check"), "'" + empty + "'");
            assertTrue(err().contains("the file has no cameras") && err().contains("- name: lobby")
                    && err().contains("url: rtsp://"), err());
        }
    }

    @Test
    void ringsLargerThanSharedMemoryAreRefusedNamingTheChannel() throws Exception {
        // 4096 cells of 256 MiB: 1 TiB, more than any /dev/shm here.
        assertEquals(2, producer("cameras:\n  - name: lobby\n    url: rtsp://10.0.0.5/s\n"
                + "    encoded: { cells: 4096, capacity: 256MiB }\n", "--check"));
        assertTrue(err().contains("lobby.h264") && err().contains("short") && err().contains("/dev/shm")
                && err().contains("encoded: 4096 cells of 256.0 MiB"), err());
    }

    @Test
    void aListenAddressInUseNamesTheSettingWithoutAStackTrace() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String address = "127.0.0.1:" + taken.getLocalPort();
            String base = "cameras:\n  - name: lobby\n    url: rtsp://127.0.0.1:9/s\ncontrol:\n  listen: 127.0.0.1:0\n"
                    + "events:\n  journal: " + dir.resolve("events") + "\n";
            for (String setting : new String[] {"rtspServer", "webView"}) {
                err.reset();
                assertEquals(1, producer(base + setting + ":\n  listen: " + address + "\n", "--seconds", "1"), setting);
                assertTrue(err().contains("error: " + setting + ".listen " + address + ": cannot listen there")
                        && err().contains("pick a free port"), err());
                assertFalse(err().contains("\tat ") || err().contains("Exception:"), "no stack trace: " + err());
            }
        }
    }

    @Test
    void recordingWithoutAStoreOrIntoAnUnusableOneIsRefusedNamingTheSetting() throws Exception {
        String camera = "cameras:\n  - name: lobby\n    url: rtsp://127.0.0.1:9/s\n    record: { enabled: true }\n";
        assertEquals(2, producer(camera, "--check"));
        assertTrue(err().contains("cameras[0].record.enabled: is true, but there is no recording store")
                && err().contains("recording: { store: "), err());

        err.reset();
        Path notADirectory = Files.writeString(dir.resolve("a-file"), "x");
        assertEquals(1, producer("recording: { store: " + notADirectory.resolve("store") + " }\ncontrol:\n  listen:"
                + " 127.0.0.1:0\nevents:\n  journal: " + dir.resolve("events") + "\n" + camera, "--seconds", "1"));
        assertTrue(err().contains("error: recording.store " + notADirectory.resolve("store") + ": cannot record there: "),
                err());
        assertFalse(err().contains("\tat ") || err().contains("Exception:"), "no stack trace: " + err());
    }
}

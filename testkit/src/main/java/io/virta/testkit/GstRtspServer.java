package io.virta.testkit;

import io.virta.testkit.NetworkLab;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * A real RTSP server for tests: GStreamer's gst-rtsp-server, run as {@code testkit/peers/rtsp_server.py}
 * under Debian's python3. Each mount serves a clip as a live camera would, looping forever with
 * timestamps that keep increasing. One pipeline per mount is shared by all its clients.
 *
 * <pre>{@code
 * try (GstRtspServer server = GstRtspServer.builder()
 *         .mount("/cam", TestClips.h264Small())
 *         .auth(GstRtspServer.Auth.DIGEST, "user", "secret")
 *         .start()) {
 *     String url = server.url("/cam");        // rtsp://127.0.0.1:<port>/cam
 *     ...
 * }
 * }</pre>
 *
 * <p>{@link #kill()} and {@link #restart()} simulate a camera that dies and comes back on the
 * same port. The server's stderr is kept ({@link #log()}) and included in start-up failures.
 */
public final class GstRtspServer implements AutoCloseable {
    private static final long READY_TIMEOUT_SECONDS = 20;
    private static final int LOG_LIMIT_CHARS = 256 * 1024;

    /** How clients must authenticate. */
    public enum Auth { NONE, BASIC, DIGEST }

    /** RTSP lower transports a client may ask for. */
    public enum Transport {
        UDP("udp"), TCP("tcp"), UDP_MCAST("udp-mcast");

        private final String optionValue;

        Transport(String optionValue) {
            this.optionValue = optionValue;
        }
    }

    private final List<String> baseArguments;
    private final String host;
    private final String user;
    private final String password;
    private final StringBuilder log = new StringBuilder();
    private Process process;
    private int port;

    private GstRtspServer(List<String> baseArguments, String host, String user, String password) {
        this.baseArguments = baseArguments;
        this.host = host;
        this.user = user;
        this.password = password;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The TCP port the server listens on (on 127.0.0.1); it stays the same across {@link #restart()}. */
    /** The server process's pid, for tests that freeze it with SIGSTOP. */
    public long pid() {
        return process.pid();
    }

    public int port() {
        return port;
    }

    /** {@code rtsp://127.0.0.1:<port><mount>} (or the namespace's address), without credentials. */
    public String url(String mount) {
        return "rtsp://" + host + ":" + port + normalizeMount(mount);
    }

    /** {@code rtsp://user:password@127.0.0.1:<port><mount>}, credentials percent-encoded. */
    public String url(String mount, String user, String password) {
        return "rtsp://" + percentEncode(user) + ":" + percentEncode(password) + "@" + host + ":" + port
                + normalizeMount(mount);
    }

    /** The user the server was configured with, or null without authentication. */
    public String user() {
        return user;
    }

    /** The password the server was configured with, or null without authentication. */
    public String password() {
        return password;
    }

    public synchronized boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** What the server has written to stderr so far (the most recent 256 KiB). */
    public String log() {
        synchronized (log) {
            return log.toString();
        }
    }

    /** Kills the server with SIGKILL, as a camera losing power: no TEARDOWN, no goodbye. */
    public synchronized void kill() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        waitForExit(process, 10);
        process = null;
    }

    /** Starts the server again on the same port, stopping the old one first if it still runs. */
    public synchronized void restart() {
        if (process != null) {
            close();
        }
        launch(port);
    }

    /** Stops the server: SIGTERM, then SIGKILL if it has not exited within 5 s. */
    @Override
    public synchronized void close() {
        if (process == null) {
            return;
        }
        process.destroy();
        if (!waitForExit(process, 5)) {
            process.destroyForcibly();
            waitForExit(process, 5);
        }
        process = null;
    }

    private void launch(int requestedPort) {
        List<String> command = new ArrayList<>(baseArguments);
        command.add("--port");
        command.add(Integer.toString(requestedPort));
        appendLog("---- starting: " + String.join(" ", command) + "\n");
        Process started;
        try {
            // stdin stays an open pipe: the server exits when it closes, so a crashed test JVM leaves no server behind.
            started = new ProcessBuilder(command).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command.getFirst()
                    + " (scripts/install-deps.sh installs Debian's python3 with GStreamer)", e);
        }
        CompletableFuture<Integer> ready = new CompletableFuture<>();
        Thread stdoutReader = Thread.ofVirtual().start(() -> readStdout(started.getInputStream(), ready));
        Thread stderrReader = Thread.ofVirtual().start(() -> readStderr(started.getErrorStream()));
        started.onExit().thenRun(() -> ready.completeExceptionally(
                new IllegalStateException("exited with status " + started.exitValue())));
        try {
            port = ready.get(READY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            process = started;
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            started.destroyForcibly();
            waitForExit(started, 5);
            joinQuietly(stdoutReader);
            joinQuietly(stderrReader);
            String why = e instanceof TimeoutException ? "did not report READY within " + READY_TIMEOUT_SECONDS + " s"
                    : e instanceof ExecutionException ? e.getCause().getMessage() : "was interrupted";
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("rtsp_server.py " + why + "; its stderr:\n" + log(), e);
        }
    }

    private void readStdout(InputStream stdout, CompletableFuture<Integer> ready) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(stdout, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (!ready.isDone() && line.startsWith("READY ")) {
                    try {
                        ready.complete(Integer.parseInt(line.substring("READY ".length()).strip()));
                    } catch (NumberFormatException e) {
                        ready.completeExceptionally(new IllegalStateException("printed a bad READY line: " + line));
                    }
                } else {
                    appendLog("stdout: " + line + "\n");
                }
            }
        } catch (IOException ignored) {
            // The process went away; onExit reports it.
        }
    }

    private void readStderr(InputStream stderr) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(stderr, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                appendLog(line + "\n");
            }
        } catch (IOException ignored) {
            // The process went away; its exit is reported elsewhere.
        }
    }

    private void appendLog(String text) {
        synchronized (log) {
            log.append(text);
            if (log.length() > LOG_LIMIT_CHARS) {
                log.delete(0, log.length() - LOG_LIMIT_CHARS);
            }
        }
    }

    private static boolean waitForExit(Process process, long seconds) {
        try {
            return process.waitFor(seconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void joinQuietly(Thread thread) {
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String normalizeMount(String mount) {
        return mount.startsWith("/") ? mount : "/" + mount;
    }

    /** RFC 3986 userinfo: everything but unreserved characters is percent-encoded. */
    private static String percentEncode(String text) {
        StringBuilder encoded = new StringBuilder();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            boolean unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~';
            if (unreserved) {
                encoded.append(c);
            } else {
                encoded.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return encoded.toString();
    }

    /** Collects the server's options; {@link #start()} launches it and waits until it accepts connections. */
    public static final class Builder {
        private final Map<String, Path> mounts = new LinkedHashMap<>();
        private Auth auth = Auth.NONE;
        private String user;
        private String password;
        private Set<Transport> transports = EnumSet.of(Transport.UDP, Transport.TCP);
        private boolean sprop = true;
        private Integer configInterval;
        private int loopStepBackMillis;
        private int port;
        private NetworkLab.Namespace namespace;

        private Builder() {}

        /** Runs the server inside a test network namespace, listening on its address. */
        public Builder inNamespace(NetworkLab.Namespace namespace) {
            this.namespace = namespace;
            return this;
        }

        /** Serves {@code clip} (.h264, .h265 or .mkv) at {@code path}, e.g. "/cam". */
        public Builder mount(String path, Path clip) {
            mounts.put(normalizeMount(path), clip);
            return this;
        }

        public Builder auth(Auth auth, String user, String password) {
            this.auth = auth;
            this.user = auth == Auth.NONE ? null : user;
            this.password = auth == Auth.NONE ? null : password;
            return this;
        }

        /** Restricts the lower transports clients may SETUP; both UDP and TCP by default. */
        public Builder transports(Transport first, Transport... more) {
            this.transports = EnumSet.of(first, more);
            return this;
        }

        /** Leaves the parameter sets out of the SDP, so clients must take them from the stream. */
        public Builder noSprop() {
            this.sprop = false;
            return this;
        }

        /** The payloader's config-interval (default 0; -1 repeats parameter sets before every IDR slice). */
        public Builder configInterval(int seconds) {
            this.configInterval = seconds;
            return this;
        }

        /**
         * Steps the timestamps, and so RTP time, back this much at every loop of the clip, as VLC does
         * when it loops a file (about a second); pacing stays real time. 0 (the default) keeps time increasing.
         */
        public Builder loopStepBack(java.time.Duration step) {
            this.loopStepBackMillis = Math.toIntExact(step.toMillis());
            return this;
        }

        /** A fixed port; 0 (the default) lets the server pick a free one. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public GstRtspServer start() {
            if (mounts.isEmpty()) {
                throw new IllegalArgumentException("a server needs at least one mount");
            }
            Path script = ModulePaths.peersDirectory().resolve("rtsp_server.py");
            List<String> arguments = new ArrayList<>();
            if (namespace != null) {
                arguments.addAll(namespace.exec());
            }
            arguments.addAll(List.of(ExternalCommand.DEBIAN_PYTHON, script.toString(), "--exit-with-stdin"));
            String host = namespace == null ? "127.0.0.1" : namespace.address();
            arguments.addAll(List.of("--address", host));
            for (Map.Entry<String, Path> mount : mounts.entrySet()) {
                if (!Files.isRegularFile(mount.getValue())) {
                    throw new IllegalArgumentException("clip for " + mount.getKey() + " does not exist: "
                            + mount.getValue());
                }
                arguments.add("--mount");
                arguments.add(mount.getKey() + "=" + mount.getValue().toAbsolutePath());
            }
            arguments.add("--auth");
            arguments.add(auth.name().toLowerCase());
            if (auth != Auth.NONE) {
                arguments.addAll(List.of("--user", user, "--password", password));
            }
            arguments.add("--transports");
            arguments.add(transports.stream().map(t -> t.optionValue).collect(Collectors.joining(",")));
            if (!sprop) {
                arguments.add("--no-sprop");
            }
            if (loopStepBackMillis != 0) {
                arguments.add("--loop-step-back-ms");
                arguments.add(Integer.toString(loopStepBackMillis));
            }
            if (configInterval != null) {
                arguments.add("--config-interval");
                arguments.add(configInterval.toString());
            }
            GstRtspServer server = new GstRtspServer(List.copyOf(arguments), host, user, password);
            synchronized (server) {
                server.launch(port);
            }
            return server;
        }
    }
}

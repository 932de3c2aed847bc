package io.virta.testkit;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Debian's headless Chromium driven through chromedriver with plain WebDriver JSON over HTTP (no
 * Selenium), for the web view's tests and {@code virta bench web}. It takes a second or two to
 * start; tests share one across a class. Fails when Chromium or chromedriver is missing:
 * scripts/install-deps.sh installs them.
 */
public final class HeadlessChromium implements AutoCloseable {
    public static final String CHROMIUM = "/usr/bin/chromium";
    public static final String CHROMEDRIVER = "/usr/bin/chromedriver";
    private static final Gson GSON = new Gson();

    private final Process driver;
    private final Path profile;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final String session;

    private HeadlessChromium(Process driver, Path profile, String base, String session) {
        this.driver = driver;
        this.profile = profile;
        this.base = base;
        this.session = session;
    }

    public static HeadlessChromium start() throws IOException, InterruptedException {
        return start(List.of());
    }

    /** As {@link #start()}, with {@code extraArgs} added to Chromium's command line (e.g. {@code --host-resolver-rules=...}). */
    public static HeadlessChromium start(List<String> extraArgs) throws IOException, InterruptedException {
        for (String binary : new String[] {CHROMIUM, CHROMEDRIVER}) {
            if (!Files.isExecutable(Path.of(binary))) {
                throw new IllegalStateException(binary + " is missing: run scripts/install-deps.sh"
                        + " (apt-get install chromium chromium-driver)");
            }
        }
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Process driver = new ProcessBuilder(CHROMEDRIVER, "--port=" + port, "--allowed-ips=127.0.0.1")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        Path profile = Files.createTempDirectory("virta-chromium");
        String base = "http://127.0.0.1:" + port;
        HttpClient http = HttpClient.newHttpClient();
        long giveUp = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            try {
                HttpResponse<String> status = http.send(HttpRequest.newBuilder(URI.create(base + "/status")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (status.statusCode() == 200) {
                    break;
                }
            } catch (IOException notYet) {
                // chromedriver is still starting
            }
            if (System.nanoTime() > giveUp || !driver.isAlive()) {
                driver.destroyForcibly();
                throw new IllegalStateException("chromedriver did not start on port " + port);
            }
            Thread.sleep(50);
        }
        List<String> args = new java.util.ArrayList<>(List.of("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--autoplay-policy=no-user-gesture-required", "--window-size=1280,800",
                // Keep timers and video running in a page nobody looks at.
                "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
                "--disable-backgrounding-occluded-windows"));
        args.addAll(extraArgs);
        Map<String, Object> capabilities = Map.of("capabilities", Map.of("alwaysMatch", Map.of("browserName", "chrome",
                "goog:chromeOptions", Map.of("binary", CHROMIUM, "args", args))));
        JsonObject created;
        try {
            created = call(http, "POST", base + "/session", GSON.toJson(capabilities)).getAsJsonObject();
        } catch (RuntimeException e) {
            driver.destroyForcibly();
            throw e;
        }
        return new HeadlessChromium(driver, profile, base, created.get("sessionId").getAsString());
    }

    public void open(String url) {
        call(http, "POST", base + "/session/" + session + "/url", GSON.toJson(Map.of("url", url)));
    }

    /** Runs {@code script} (a function body; {@code return} its result) in the page and returns the result as JSON. */
    public JsonElement run(String script) {
        return call(http, "POST", base + "/session/" + session + "/execute/sync",
                GSON.toJson(Map.of("script", script, "args", List.of())));
    }

    @Override
    public void close() {
        try {
            call(http, "DELETE", base + "/session/" + session, null);
        } catch (RuntimeException ignored) {
            // the browser is going away anyway
        }
        driver.destroy();
        try {
            if (!driver.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                driver.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (var files = Files.walk(profile)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory
        }
    }

    /** One WebDriver command; its {@code value}, or an exception with WebDriver's error message. */
    private static JsonElement call(HttpClient http, String method, String url, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json");
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException("chromedriver: " + method + " " + url + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        JsonElement value = JsonParser.parseString(response.body()).getAsJsonObject().get("value");
        if (response.statusCode() != 200) {
            throw new IllegalStateException("chromedriver: " + method + " " + url + ": " + response.statusCode() + " " + value);
        }
        return value;
    }
}

package io.virta.producer.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The page's files, read from the jar once: {@code index.html} and {@code live.js}, no external
 * libraries. The script is inlined into the page as served: with a token, a {@code <script src>}
 * request would carry none and be refused.
 */
final class StaticPage {
    /** A file the server hands out as is. */
    record File(byte[] bytes, String contentType) {
    }

    private final Map<String, File> files;

    StaticPage() {
        File script = load("live.js", "text/javascript; charset=utf-8");
        String html = new String(load("index.html", "").bytes(), StandardCharsets.UTF_8);
        String inlined = html.replace("<script src=\"live.js\"></script>",
                "<script>\n" + new String(script.bytes(), StandardCharsets.UTF_8) + "</script>");
        if (inlined.equals(html)) {
            throw new IllegalStateException("index.html lost its <script src=\"live.js\"></script> line");
        }
        File index = new File(inlined.getBytes(StandardCharsets.UTF_8), "text/html; charset=utf-8");
        files = Map.of("/", index, "/index.html", index, "/live.js", script);
    }

    /** The file at {@code path}, or null. */
    File at(String path) {
        return files.get(path);
    }

    private static File load(String name, String contentType) {
        try (InputStream in = StaticPage.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("io/virta/producer/web/" + name + " is missing from the jar");
            }
            return new File(in.readAllBytes(), contentType);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

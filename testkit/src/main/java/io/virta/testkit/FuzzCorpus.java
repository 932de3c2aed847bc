package io.virta.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * A fuzz test's persisted corpus: the inputs that once broke a parser, or that a test found worth
 * keeping, replayed as regression cases before the test's random inputs (as gortsplib keeps
 * {@code testdata/fuzz}). The corpus of {@code SdpFuzzTest} is every file in
 * {@code src/test/resources/fuzz/SdpFuzzTest/} of its module, read in name order:
 *
 * <pre>
 *   for (FuzzCorpus.Case input : FuzzCorpus.of(SdpFuzzTest.class)) {
 *       parseOrRefuse(input.text(), input.name());
 *   }
 * </pre>
 *
 * <p>A file is taken byte for byte, except a {@code .hex} file: hex digits, with whitespace ignored
 * and {@code #} starting a comment to the end of the line; each line that holds bytes is one
 * {@linkplain Case#records() record} (one RTP packet, say), for targets that take a sequence.
 * docs/testing.md says how to add a case. Loading reads files and allocates freely; the result is
 * immutable.
 */
public final class FuzzCorpus {
    private FuzzCorpus() {
    }

    /**
     * One corpus file.
     *
     * @param name    the file's name, for failure messages
     * @param records its records: one per line of a {@code .hex} file, else the whole file as one
     */
    public record Case(String name, List<byte[]> records) {
        /** All records, one after the other. */
        public byte[] bytes() {
            int length = records.stream().mapToInt(r -> r.length).sum();
            byte[] all = new byte[length];
            int at = 0;
            for (byte[] record : records) {
                System.arraycopy(record, 0, all, at, record.length);
                at += record.length;
            }
            return all;
        }

        /** The bytes as UTF-8 text (what the text parsers' corpora hold). */
        public String text() {
            return new String(bytes(), StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /**
     * The corpus of {@code fuzzTest}: the files under {@code fuzz/<its simple name>/} on its class path
     * (its module's {@code src/test/resources}).
     *
     * @throws IllegalStateException if there is no such folder or it holds no file: a corpus that went
     *                               missing must not pass as one that holds nothing to fail on
     */
    public static List<Case> of(Class<?> fuzzTest) {
        String folder = "fuzz/" + fuzzTest.getSimpleName();
        ClassLoader loader = fuzzTest.getClassLoader() == null ? ClassLoader.getSystemClassLoader() : fuzzTest.getClassLoader();
        URL url = loader.getResource(folder);
        if (url == null || !"file".equals(url.getProtocol())) {
            throw new IllegalStateException("no fuzz corpus folder " + folder + " on the class path (" + url
                    + "): create src/test/resources/" + folder + "/ in " + fuzzTest.getSimpleName()
                    + "'s module with at least one case (docs/testing.md)");
        }
        List<Case> cases = new ArrayList<>();
        try (Stream<Path> files = Files.list(Path.of(url.toURI()))) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                cases.add(read(file));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading the fuzz corpus " + url, e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException("fuzz corpus folder " + url + " is not a path", e);
        }
        if (cases.isEmpty()) {
            throw new IllegalStateException("the fuzz corpus " + url + " holds no case; add one (docs/testing.md)");
        }
        return List.copyOf(cases);
    }

    private static Case read(Path file) throws IOException {
        String name = file.getFileName().toString();
        if (!name.endsWith(".hex")) {
            return new Case(name, List.of(Files.readAllBytes(file)));
        }
        List<byte[]> records = new ArrayList<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int comment = line.indexOf('#');
            String digits = (comment < 0 ? line : line.substring(0, comment)).replaceAll("\\s", "");
            if (digits.isEmpty()) {
                continue;
            }
            try {
                records.add(HexFormat.of().parseHex(digits));
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException(file + " line " + (i + 1) + ": not an even number of hex digits ("
                        + e.getMessage() + ")", e);
            }
        }
        return new Case(name, List.copyOf(records));
    }
}

package io.virta.bench;

import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * A benchmark's markdown report: each line is printed as it is written, so a long run shows progress,
 * and kept, so that {@code --out FILE} gets the same text to paste into docs/benchmarks.md.
 *
 * <p>One per run, used from the benchmark's own thread (not thread-safe). It keeps the whole text in
 * memory, a few kilobytes.
 *
 * <pre>{@code
 * BenchReport report = new BenchReport();
 * report.heading("Decode benchmark", quick);      // ## Decode benchmark (2026-05-04, 2 cores, --quick)
 * report.header("what", "frames/s", "vs memcpy");
 * report.row("memcpy (peer)", 812, "1.00×");
 * report.writeTo(out.file());                      // --out FILE, when given
 * }</pre>
 */
public final class BenchReport {
    private final StringBuilder text = new StringBuilder();

    public void line(String line) {
        System.out.println(line);
        System.out.flush();
        text.append(line).append('\n');
    }

    /** A line made with {@link String#format} in the root locale: a decimal point whatever the machine's. */
    public void line(String format, Object... values) {
        line(String.format(Locale.ROOT, format, values));
    }

    /** The report's first line, {@code ## TITLE (DATE, N cores[, --quick])}, and an empty one. */
    public void heading(String title, boolean quick) {
        line("## " + title + " (" + machine() + (quick ? ", --quick" : "") + ")");
        line("");
    }

    /** Today's date and this machine's core count, {@code 2026-05-04, 2 cores}: where a figure was measured. */
    public static String machine() {
        return LocalDate.now() + ", " + Runtime.getRuntime().availableProcessors() + " cores";
    }

    /** A table's header row and its separator. */
    public void header(String... columns) {
        line("| " + String.join(" | ", columns) + " |");
        line("|" + "---|".repeat(columns.length));
    }

    public void row(Object... cells) {
        StringBuilder b = new StringBuilder("|");
        for (Object cell : cells) {
            b.append(' ').append(cell).append(" |");
        }
        line(b.toString());
    }

    /** Every benchmark's {@code --out FILE}: a picocli mixin ({@code @Mixin BenchReport.OutFile out}). */
    public static final class OutFile {
        @Option(names = "--out", paramLabel = "FILE", description = "also write the markdown report to FILE")
        Optional<Path> file = Optional.empty();

        /** The file to write the report to, when {@code --out} gave one. */
        public Optional<Path> file() {
            return file;
        }
    }

    /** Writes everything so far to {@code file}, when one is given ({@code --out FILE}). */
    public void writeTo(Optional<Path> file) throws IOException {
        if (file.isPresent()) {
            Files.writeString(file.get(), text);
        }
    }

    /** {@code value} with {@code decimals} decimals; "-" for NaN (not measured). */
    public static String fixed(double value, int decimals) {
        if (Double.isNaN(value)) {
            return "-";
        }
        return String.format(Locale.ROOT, "%." + decimals + "f", value);
    }

    public static String ratio(double value, double peer) {
        return peer > 0 ? String.format(Locale.ROOT, "%.2f×", value / peer) : "-";
    }

    /** The {@code q}-quantile (0..1) of {@code values}, nearest rank. */
    public static double quantile(double[] values, double q) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank))];
    }
}

package io.virta.bench.viewer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/** The benchmark's markdown output: printed as it goes, and kept for {@code --out FILE}. */
final class Report {
    private final StringBuilder text = new StringBuilder();

    void line(String line) {
        System.out.println(line);
        System.out.flush();
        text.append(line).append('\n');
    }

    void line(String format, Object... values) {
        line(String.format(Locale.ROOT, format, values));
    }

    /** A table's header row and its separator. */
    void header(String... columns) {
        line("| " + String.join(" | ", columns) + " |");
        line("|" + "---|".repeat(columns.length));
    }

    void row(Object... cells) {
        StringBuilder b = new StringBuilder("|");
        for (Object cell : cells) {
            b.append(' ').append(cell).append(" |");
        }
        line(b.toString());
    }

    void writeTo(Path file) throws IOException {
        Files.writeString(file, text);
    }

    /** {@code value} with {@code decimals} decimals; "-" for NaN (not measured). */
    static String fixed(double value, int decimals) {
        if (Double.isNaN(value)) {
            return "-";
        }
        return String.format(Locale.ROOT, "%." + decimals + "f", value);
    }

    static String ratio(double value, double peer) {
        return peer > 0 ? String.format(Locale.ROOT, "%.2f×", value / peer) : "-";
    }

    /** The {@code q}-quantile (0..1) of {@code values}, nearest rank. */
    static double quantile(double[] values, double q) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank))];
    }
}

package io.virta.bus.tools;

import java.util.Arrays;
import java.util.Locale;

/** Percentiles of latency samples in nanoseconds, printed as the JSON line every latency reader prints. */
public final class LatencyStats {
    private LatencyStats() {
    }

    public static String json(String reader, long[] samples, int n) {
        if (n == 0) {
            return "{\"reader\":\"" + reader + "\",\"n\":0}";
        }
        long[] sorted = Arrays.copyOf(samples, n);
        Arrays.sort(sorted);
        return String.format(Locale.ROOT,
                "{\"reader\":\"%s\",\"n\":%d,\"p50_us\":%.2f,\"p99_us\":%.2f,\"p999_us\":%.2f,\"max_us\":%.2f}",
                reader, n, percentile(sorted, 0.50), percentile(sorted, 0.99), percentile(sorted, 0.999),
                sorted[n - 1] / 1000.0);
    }

    static double percentile(long[] sorted, double p) {
        return sorted[(int) Math.round(p * (sorted.length - 1))] / 1000.0;
    }
}

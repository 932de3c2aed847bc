package io.virta.cli;

import io.virta.bus.bench.BusBenchmark;

import java.util.Arrays;

/** {@code virta bench <name>}: the benchmarks whose figures go into docs/benchmarks.md. */
final class Bench {
    static final String USAGE = """
            usage: virta bench <benchmark> [options]
              bus     bus hand-off latency and throughput, against a C floor and memcpy

            'virta bench bus --help' shows its options.
            """;

    private Bench() {
    }

    static int run(String[] argv) {
        if (argv.length == 0 || argv[0].equals("--help")) {
            System.out.print(USAGE);
            return argv.length == 0 ? 2 : 0;
        }
        try {
            return switch (argv[0]) {
                case "bus" -> BusBenchmark.run(Arrays.copyOfRange(argv, 1, argv.length));
                default -> {
                    System.err.println("virta bench: unknown benchmark '" + argv[0] + "'\n" + USAGE);
                    yield 2;
                }
            };
        } catch (Exception e) {
            System.err.println("virta bench: " + e.getMessage());
            return 1;
        }
    }
}

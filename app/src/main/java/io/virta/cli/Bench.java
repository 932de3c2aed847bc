package io.virta.cli;

import io.virta.bench.bus.BusBenchmark;
import io.virta.bench.hub.EventBenchmark;
import io.virta.bench.producer.DecodeBenchmark;
import io.virta.bench.producer.IngestBenchmark;
import io.virta.bench.producer.LossBenchmark;
import io.virta.bench.producer.RtspServerBenchmark;
import io.virta.bench.producer.SoakBenchmark;
import io.virta.bench.producer.WebBenchmark;
import io.virta.bench.record.RecordBenchmark;
import io.virta.bench.viewer.ViewerBenchmark;
import io.virta.bench.worker.WorkerBenchmark;
import picocli.CommandLine.Command;

/**
 * {@code virta bench <name>}: the benchmarks whose figures go into docs/benchmarks.md, each against a
 * peer measured in the same run. A benchmark that fails prints {@code virta bench: why} and exits with
 * status 1 ({@link Virta}).
 */
@Command(name = "bench", description = "Run a benchmark; its markdown report is printed (and --out FILE keeps it).",
        subcommands = {BusBenchmark.Cli.class, DecodeBenchmark.Cli.class, IngestBenchmark.Cli.class,
                RtspServerBenchmark.Cli.class, EventBenchmark.Cli.class, WorkerBenchmark.Cli.class,
                ViewerBenchmark.Cli.class, WebBenchmark.Cli.class, LossBenchmark.Cli.class, SoakBenchmark.Cli.class,
                RecordBenchmark.Cli.class})
final class Bench extends CommandGroup {
}

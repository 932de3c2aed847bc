package io.virta.cli;

import io.virta.bench.bus.BusBenchmark;

import java.util.Arrays;

/** {@code virta bench <name>}: the benchmarks whose figures go into docs/benchmarks.md. */
final class Bench {
    static final String USAGE = """
            usage: virta bench <benchmark> [options]
              bus     bus hand-off latency and throughput, against a C floor and memcpy
              decode  CPU per 1080p frame, decode + scale to RGB24, against ffmpeg -threads 1
              ingest  CPU of 32 RTSP streams without decoding against 32 ffmpeg -c copy clients,
                      and latency from a frame's last packet to the decoded frame on the bus
              rtsp-server  CPU per client of re-serving a camera over RTSP to 1, 10 and 50 clients,
                      against gst-rtsp-server serving the same camera to the same clients
              events  event hub: journal append latency against a bare Chronicle append, and events/s
                      from a reporting client through the hub to a subscriber against a no-op gRPC call
              worker  1080p RGB24 frames/s a Java worker consumes zero-copy, against memcpy of the frame
              viewer  GL viewer: upload and draw cost per frame against a naive upload and an RGB quad,
                      frames presented and dropped with 1 to 16 streams, CPU against ffplay
              web     browser live view: capture to display in headless Chromium, against capture to YUV on the bus
              loss    frames that reach the bus at 3 % UDP packet loss (conceal and drop), against ffmpeg's
                      frame count from the same camera over the same lossy link (root: a network namespace)
              soak    N cameras through M kills and restarts of their RTSP server: RSS, direct buffers, fds and
                      threads per cycle, the reconnect time and the frames lost

            'virta bench <benchmark> --help' shows its options.
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
                case "decode" -> io.virta.bench.producer.DecodeBenchmark.run(Arrays.copyOfRange(argv, 1, argv.length));
                case "ingest" -> io.virta.bench.producer.IngestBenchmark.run(Arrays.copyOfRange(argv, 1, argv.length));
                case "rtsp-server" -> io.virta.bench.producer.RtspServerBenchmark.run(Arrays.copyOfRange(argv, 1, argv.length));
                case "events" -> io.virta.bench.hub.EventBenchmark.run(Arrays.copyOfRange(argv, 1, argv.length));
                case "worker" -> io.virta.bench.worker.WorkerBenchmark.run(Arrays.copyOfRange(argv, 1, argv.length));
                case "web" -> io.virta.bench.producer.WebBenchmark.run(Arrays.copyOfRange(argv, 1, argv.length));
                case "loss" -> io.virta.bench.producer.LossBenchmark.run(Arrays.copyOfRange(argv, 1, argv.length));
                case "soak" -> io.virta.bench.producer.SoakBenchmark.run(Arrays.copyOfRange(argv, 1, argv.length));
                case "viewer" -> io.virta.bench.viewer.ViewerBenchmark.run(Arrays.copyOfRange(argv, 1, argv.length));
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

package io.virta.cli;

import io.virta.bus.tools.BusTool;
import io.virta.viewer.ViewerMain;

import java.util.Arrays;

/** The {@code virta} command: one entry point, a subcommand each. The {@code ./virta} launcher calls it. */
public final class Virta {
    static final String USAGE = """
            usage: virta <command> [options]

            commands:
              demo     run the producer on a built-in demo camera and read its frames from Java and Python
              producer run the producer daemon: --config cameras.yaml
              hub      run the event hub on its own: --journal DIR [--listen HOST:PORT]
              bus      work with bus channels: write, read, ls, clean, latency
              worker   run a Java worker on a camera's frames: worker motion --camera NAME
              viewer   show cameras in OpenGL windows: viewer lobby door [--layout grid|FILE]
              bench    run a benchmark: bench bus, decode, ingest, events, worker, viewer
              test     (launcher only) install what the tests need and run them all

            'virta <command> --help' shows a command's options.
            """;

    private Virta() {
    }

    public static void main(String[] argv) throws Exception {
        // One line per log record: time, level, logger, message.
        System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tT.%1$tL %4$s %3$s: %5$s%6$s%n");
        if (argv.length == 0 || argv[0].equals("--help") || argv[0].equals("-h") || argv[0].equals("help")) {
            System.out.print(USAGE);
            System.exit(argv.length == 0 ? 2 : 0);
        }
        String[] rest = Arrays.copyOfRange(argv, 1, argv.length);
        int status = switch (argv[0]) {
            case "demo" -> Demo.run(rest);
            case "producer" -> ProducerCommand.run(rest);
            case "hub" -> HubCommand.run(rest);
            case "bus" -> BusTool.run(rest, System.out, System.err);
            case "worker" -> WorkerCommand.run(rest);
            case "viewer" -> ViewerMain.run(rest, System.out, System.err);
            case "bench" -> Bench.run(rest);
            default -> {
                System.err.println("virta: unknown command '" + argv[0] + "'\n" + USAGE);
                yield 2;
            }
        };
        System.exit(status);
    }
}

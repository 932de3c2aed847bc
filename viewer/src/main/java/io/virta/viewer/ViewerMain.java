package io.virta.viewer;

import io.virta.viewer.gl.ViewerException;

import io.virta.bus.tools.Args;
import io.virta.viewer.layout.LayoutException;
import io.virta.worker.attach.AttachException;

import java.io.PrintStream;
import java.util.Arrays;

/** {@code virta viewer}: shows cameras from the bus in OpenGL windows until closed, Q or SIGTERM. */
public final class ViewerMain {
    private ViewerMain() {
    }

    public static void main(String[] argv) {
        System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tT.%1$tL %4$s %3$s: %5$s%6$s%n");
        System.exit(run(argv, System.out, System.err));
    }

    /** Runs the viewer on the calling thread (the main thread); returns the exit status. */
    public static int run(String[] argv, PrintStream out, PrintStream err) {
        if (Arrays.asList(argv).contains("--help") || Arrays.asList(argv).contains("-h")) {
            out.print(ViewerOptions.USAGE);
            return 0;
        }
        // AWT draws the labels' glyphs; it must not look for a display of its own.
        System.setProperty("java.awt.headless", "true");
        ViewerOptions options;
        try {
            options = ViewerOptions.parse(argv);
        } catch (Args.UsageException | LayoutException | IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return 2;
        }
        Viewer viewer = new Viewer(options, out);
        Thread hook = new Thread(viewer::stop, "virta-viewer-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return viewer.run();
        } catch (ViewerException | AttachException e) {
            err.println("error: " + e.getMessage());
            return 1;
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // SIGTERM: the hook is waiting for run() to finish, which it now has.
            }
        }
    }
}

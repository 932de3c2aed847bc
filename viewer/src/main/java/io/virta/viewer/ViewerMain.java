package io.virta.viewer;

import io.virta.viewer.gl.ViewerException;
import io.virta.worker.attach.AttachException;

import java.io.PrintStream;

/**
 * The viewer's process: {@code virta viewer} (the app's command line, which parses and checks the
 * options) hands its {@link ViewerOptions} here, on the JVM's main thread, and exits with the status.
 * The windows stay open until closed, Q, {@code --seconds} or SIGTERM; a shutdown hook stops the render
 * loop so that SIGTERM ends it as cleanly as Q does.
 *
 * <pre>{@code
 * System.exit(ViewerMain.run(options, System.out, System.err));
 * }</pre>
 */
public final class ViewerMain {
    private ViewerMain() {
    }

    /**
     * Runs the viewer on the calling thread (the main thread); returns the exit status: 0 closed, 1 the
     * display, GL or a camera failed (the message on {@code err} says which).
     */
    public static int run(ViewerOptions options, PrintStream out, PrintStream err) {
        // AWT draws the labels' glyphs; it must not look for a display of its own.
        System.setProperty("java.awt.headless", "true");
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

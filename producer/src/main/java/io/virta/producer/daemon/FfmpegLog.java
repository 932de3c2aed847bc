package io.virta.producer.daemon;

import org.bytedeco.ffmpeg.avutil.LogCallback;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacpp.BytePointer;

import java.io.PrintStream;

/**
 * FFmpeg logs every damaged slice and every encoder notice to stderr. A producer counts those
 * events per stream instead, so FFmpeg's own log shows only fatal errors; {@code VIRTA_FFMPEG_LOG=error}
 * (or warning, info, debug) turns it back up for troubleshooting.
 *
 * <p>Turned up, FFmpeg quotes the URLs it opens ({@code Opening 'http://user:secret@…'}), so its
 * lines then pass through {@link #withoutCredentials} on their way to stderr. At the default level
 * FFmpeg's own callback stays: nothing it prints then names a URL, and no Java upcall is paid for
 * each damaged slice.
 */
public final class FfmpegLog {
    /** Kept reachable for as long as FFmpeg may call it: JavaCPP frees the thunk with the object. */
    private static volatile RedactingCallback installed;

    private FfmpegLog() {
    }

    public static void quiet() {
        String name = System.getenv().getOrDefault("VIRTA_FFMPEG_LOG", "fatal");
        int level = switch (name) {
            case "quiet" -> avutil.AV_LOG_QUIET;
            case "error" -> avutil.AV_LOG_ERROR;
            case "warning" -> avutil.AV_LOG_WARNING;
            case "info" -> avutil.AV_LOG_INFO;
            case "verbose" -> avutil.AV_LOG_VERBOSE;
            case "debug" -> avutil.AV_LOG_DEBUG;
            default -> avutil.AV_LOG_FATAL;
        };
        avutil.av_log_set_level(level);
        if (level > avutil.AV_LOG_FATAL && installed == null) {
            synchronized (FfmpegLog.class) {
                if (installed == null) {
                    installed = new RedactingCallback(System.err);
                    avutil.setLogCallback(installed);
                }
            }
        }
    }

    /**
     * {@code line} with everything from its first {@code ://} to its last {@code @} replaced by
     * {@code ***}. A password may hold spaces, quotes, {@code /} or {@code @}, and FFmpeg quotes it
     * however it likes, so the cut errs towards hiding too much: a second URL's host on the same line
     * may go too, a password never stays.
     */
    static String withoutCredentials(String line) {
        int scheme = line.indexOf("://");
        int at = line.lastIndexOf('@');
        if (scheme < 0 || at < scheme) {
            return line;
        }
        return line.substring(0, scheme + 3) + "***" + line.substring(at);
    }

    /** FFmpeg's lines, filtered by its level as its own callback does, then stripped of credentials. */
    private static final class RedactingCallback extends LogCallback {
        private final PrintStream out;

        RedactingCallback(PrintStream out) {
            this.out = out;
        }

        @Override
        public void call(int level, BytePointer message) {
            if (level > avutil.av_log_get_level()) {
                return;
            }
            out.print(withoutCredentials(message.getString()));
        }
    }
}

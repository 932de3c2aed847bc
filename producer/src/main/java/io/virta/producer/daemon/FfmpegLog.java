package io.virta.producer.daemon;

import org.bytedeco.ffmpeg.global.avutil;

/**
 * FFmpeg logs every damaged slice and every encoder notice to stderr. A producer counts those
 * events per stream instead, so FFmpeg's own log shows only fatal errors; {@code VIRTA_FFMPEG_LOG=error}
 * (or warning, info, debug) turns it back up for troubleshooting.
 */
public final class FfmpegLog {
    private FfmpegLog() {
    }

    public static void quiet() {
        String level = System.getenv().getOrDefault("VIRTA_FFMPEG_LOG", "fatal");
        avutil.av_log_set_level(switch (level) {
            case "quiet" -> avutil.AV_LOG_QUIET;
            case "error" -> avutil.AV_LOG_ERROR;
            case "warning" -> avutil.AV_LOG_WARNING;
            case "info" -> avutil.AV_LOG_INFO;
            case "debug" -> avutil.AV_LOG_DEBUG;
            default -> avutil.AV_LOG_FATAL;
        });
    }
}

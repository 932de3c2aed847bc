package io.virta.recorder.export;

import io.virta.bus.ChannelName;

/**
 * One camera's video over {@code [fromMicros, toMicros]} (capture times, µs since the epoch, both ends
 * included) in a container.
 *
 * @param gapMicros a pause between two frames longer than this is reported as a gap in the manifest
 *                  (docs/recording-format.md section 11.4); the recorder's {@code maxGap}, 2 s by default
 */
public record ExportRequest(String camera, long fromMicros, long toMicros, ExportFormat format, long gapMicros) {
    /** The longest range one export takes: a day. Longer ones are split by the caller. */
    public static final long MAX_RANGE_MICROS = 24L * 3600 * 1_000_000;
    public static final long DEFAULT_GAP_MICROS = 2_000_000;

    public ExportRequest {
        ChannelName.validate(camera);
        if (toMicros < fromMicros) {
            throw new IllegalArgumentException("export range of " + camera + " ends (" + Instants.format(toMicros)
                    + ") before it starts (" + Instants.format(fromMicros) + "): swap --from and --to");
        }
        if (toMicros - fromMicros > MAX_RANGE_MICROS) {
            throw new IllegalArgumentException("export range of " + camera + " is " + (toMicros - fromMicros) / 3_600_000_000L
                    + " h long; one export takes at most 24 h: export the range in parts");
        }
        if (gapMicros <= 0) {
            throw new IllegalArgumentException("gapMicros must be positive, not " + gapMicros);
        }
    }

    public ExportRequest(String camera, long fromMicros, long toMicros, ExportFormat format) {
        this(camera, fromMicros, toMicros, format, DEFAULT_GAP_MICROS);
    }
}

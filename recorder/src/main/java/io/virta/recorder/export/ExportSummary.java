package io.virta.recorder.export;

import io.virta.bus.PixelFormat;
import io.virta.recorder.index.Span;

import java.util.List;

/**
 * What an export holds, as its manifest states it (docs/recording-format.md section 11.6): the camera and
 * range asked for, the frames that were exported and when they were captured, the gaps and stream changes
 * inside, the segments they came from, and what was passed over as damage.
 *
 * @param firstCaptureMicros capture time of the first frame shown: the first at or after the range's start
 *                           (an MP4 starts there by its edit list; an MKV starts at the keyframe before it)
 * @param lastCaptureMicros  capture time of the last frame, at or before the range's end
 * @param frames             frames shown, {@code firstCaptureMicros} to {@code lastCaptureMicros}
 * @param prerollFrames      frames before them, from the keyframe the first shown frame needs
 * @param keyframes          keyframes among all frames
 * @param gaps               pauses longer than the request's {@code gapMicros}, and places where damaged
 *                           frames were left out, between shown frames
 * @param streams            one entry per run of frames sharing their parameter sets (more than one when the
 *                           resolution or encoder settings changed mid-range)
 * @param notes              what a person should know (the export stopped at a codec change, a segment was
 *                           deleted by retention meanwhile)
 */
public record ExportSummary(String camera, ExportFormat format, PixelFormat codec, long requestedFromMicros,
                            long requestedToMicros, long firstCaptureMicros, long lastCaptureMicros, int frames,
                            int prerollFrames, int keyframes, List<Span> gaps, List<Stream> streams,
                            List<Source> segments, Damage damage, List<String> notes) {

    public ExportSummary {
        gaps = List.copyOf(gaps);
        streams = List.copyOf(streams);
        segments = List.copyOf(segments);
        notes = List.copyOf(notes);
    }

    /** A run of frames with one decoder configuration, from the capture time of its first frame. */
    public record Stream(long fromCaptureMicros, int width, int height, int frames) {
    }

    /** A segment file frames were read from, relative to the store, and which of its frames. */
    public record Source(long segmentId, String file, long firstCaptureMicros, long lastCaptureMicros, int frames) {
    }

    /**
     * What was passed over: damaged records (docs/recording-format.md section 4.3), the frames after each
     * up to the next keyframe (they would decode to garbage), access units that were no Annex-B, and
     * segments deleted (by retention) before they could be read.
     */
    public record Damage(long damagedRecords, long skippedBytes, long framesDropped, long malformedFrames,
                         int segmentsMissing) {
        public boolean any() {
            return damagedRecords + framesDropped + malformedFrames + segmentsMissing > 0;
        }
    }
}

package io.virta.recorder.export;

import io.virta.recorder.index.SegmentRow;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.List;

/**
 * What planning found for one export: the frame table, the segment files it points into (held open, so
 * that retention deleting one meanwhile does not take its bytes from a download in progress), the sample
 * entries, and the summary. The container layouts ({@link Mp4Layout}, {@link MkvLayout}) are made from it.
 *
 * @param firstShown the first frame at or after the range's start; those before it are pre-roll
 */
record ExportPlan(ExportRequest request, FrameTable frames, List<Source> segments, List<SampleEntry> entries,
                  int firstShown, ExportSummary summary) {

    /** A segment file frames are read from, and the index of its sample entry in {@code entries}. */
    record Source(SegmentRow row, FileChannel channel, int entry) {
    }

    void close() throws IOException {
        IOException failure = null;
        for (Source source : segments) {
            try {
                source.channel().close();
            } catch (IOException e) {
                failure = e;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}

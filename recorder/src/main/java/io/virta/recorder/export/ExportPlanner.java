package io.virta.recorder.export;

import io.virta.bus.PixelFormat;
import io.virta.recorder.format.RecordDescriptor;
import io.virta.recorder.format.SegmentHeader;
import io.virta.recorder.index.Coverage;
import io.virta.recorder.index.KeyframePosition;
import io.virta.recorder.index.RecordingIndex;
import io.virta.recorder.index.SegmentRow;
import io.virta.recorder.index.Span;
import io.virta.recorder.store.SegmentReader;
import io.virta.recorder.store.StoreView;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Reads the records of one export once (docs/recording-format.md section 11.1): from the keyframe at or
 * before the range's start, across segments, through the last frame at or before its end, noting where
 * each payload and NAL unit lies. Damaged records are passed over as {@link SegmentReader} does, and the
 * frames after one are left out up to the next keyframe, since they would decode to garbage.
 *
 * <p><b>Threads:</b> one planner per export. <b>Allocation:</b> the frame table grows by doubling; nothing
 * else per frame.
 */
final class ExportPlanner {
    private final StoreView view;
    private final ExportRequest request;
    private final FrameTable table = new FrameTable();
    private final List<ExportPlan.Source> sources = new ArrayList<>();
    private final List<SampleEntry> entries = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private PixelFormat codec = PixelFormat.NONE;
    private int firstShown = -1;
    private boolean needKeyframe = true;
    private boolean dropped;
    private long damagedRecords;
    private long skippedBytes;
    private long framesDropped;
    private long malformedFrames;
    private int segmentsMissing;
    private int framesInRange;

    private ExportPlanner(StoreView view, ExportRequest request) {
        this.view = view;
        this.request = request;
    }

    static ExportPlan plan(StoreView view, ExportRequest request) throws IOException, ExportException {
        ExportPlanner planner = new ExportPlanner(view, request);
        try {
            return planner.run();
        } catch (IOException | ExportException | RuntimeException e) {
            for (ExportPlan.Source source : planner.sources) {
                try {
                    source.channel().close();
                } catch (IOException closing) {
                    e.addSuppressed(closing);
                }
            }
            throw e;
        }
    }

    private ExportPlan run() throws IOException, ExportException {
        String camera = request.camera();
        RecordingIndex index = view.index();
        List<String> cameras = view.cameras();
        if (!cameras.contains(camera)) {
            throw new ExportException(ExportException.Reason.NO_SUCH_CAMERA, "the store " + view.directory()
                    + " has no video of camera " + camera + "; it has " + (cameras.isEmpty() ? "none"
                    : String.join(", ", cameras)) + ". Check the camera's name (virta record ls --store "
                    + view.directory() + ").");
        }
        Optional<KeyframePosition> start = index.keyframeAtOrBefore(camera, request.fromMicros());
        List<SegmentRow> rows = index.segments(camera,
                start.map(KeyframePosition::captureMicros).orElse(request.fromMicros()), request.toMicros());
        boolean started = start.isEmpty() || rows.stream().noneMatch(row -> row.id() == start.get().segmentId());
        reading:
        for (SegmentRow row : rows) {
            if (!started) {
                if (row.id() != start.get().segmentId()) {
                    continue;
                }
                started = true;
            }
            switch (readSegment(row, start.filter(at -> at.segmentId() == row.id()).map(KeyframePosition::offset))) {
                case GO_ON -> { }
                case PAST_RANGE -> {
                    break reading;
                }
            }
        }
        if (firstShown < 0) {
            throw nothingToExport();
        }
        keepUsedEntries();
        return new ExportPlan(request, table, List.copyOf(sources), List.copyOf(entries), firstShown, summary());
    }

    /**
     * Drops the sample entries of frames that a later keyframe cleared away (they were read before the
     * export's start), so that an MP4's first sample entry is the first frame's.
     */
    private void keepUsedEntries() {
        int[] renumbered = new int[entries.size()];
        Arrays.fill(renumbered, -1);
        List<SampleEntry> used = new ArrayList<>();
        for (int i = 0; i < table.size(); i++) {
            int entry = sources.get(table.segment(i)).entry();
            if (renumbered[entry] < 0) {
                renumbered[entry] = used.size();
                used.add(entries.get(entry));
            }
        }
        for (int s = 0; s < sources.size(); s++) {
            ExportPlan.Source source = sources.get(s);
            int entry = source.entry() < 0 ? -1 : renumbered[source.entry()];
            sources.set(s, new ExportPlan.Source(source.row(), source.channel(), entry));
        }
        entries.clear();
        entries.addAll(used);
    }

    private enum Next { GO_ON, PAST_RANGE }

    private Next readSegment(SegmentRow row, Optional<Long> seekTo) throws IOException {
        FileChannel channel;
        SegmentReader reader;
        try {
            channel = FileChannel.open(view.file(row), StandardOpenOption.READ);
        } catch (NoSuchFileException gone) {
            segmentsMissing++;
            notes.add("segment " + Long.toHexString(row.id()) + " (" + row.file() + ") was deleted before it could be"
                    + " read (retention); its frames are missing");
            dropFromHere();
            return Next.GO_ON;
        }
        try {
            reader = view.openSegment(row);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        int sourceIndex = sources.size();
        try (reader) {
            SegmentHeader header = reader.header();
            PixelFormat segmentCodec = header.stream().codec();
            if (codec != PixelFormat.NONE && segmentCodec != codec) {
                if (firstShown >= 0) {
                    notes.add("the camera changed from " + codec + " to " + segmentCodec + " at "
                            + Instants.format(header.startTimeMicros()) + "; one file holds one codec, so the export"
                            + " ends there: export the rest from that time on separately");
                    return Next.PAST_RANGE;
                }
                table.clear();
            }
            codec = segmentCodec;
            int entry = entryOf(header);
            sources.add(new ExportPlan.Source(row, channel, entry));
            seekTo.ifPresent(reader::seek);
            long damagedBefore = 0;
            while (reader.next()) {
                if (reader.damagedRecords() != damagedBefore) {
                    damagedBefore = reader.damagedRecords();
                    dropFromHere();
                }
                long capture = reader.captureTimeMicros();
                if (capture > request.toMicros()) {
                    return Next.PAST_RANGE;
                }
                if (capture >= request.fromMicros()) {
                    framesInRange++;
                }
                boolean keyframe = reader.isKeyframe();
                int current = sources.size() - 1;
                if (keyframe && sources.get(current).entry() < 0) {
                    sources.set(current, new ExportPlan.Source(row, channel, entryInBand(header, reader.payload())));
                }
                if (needKeyframe && !keyframe || sources.get(current).entry() < 0) {
                    framesDropped++;
                    dropped = true;
                    continue;
                }
                if (keyframe && firstShown < 0) {
                    table.clear(); // start at the last keyframe before the first frame shown
                }
                add(reader, current, capture, keyframe);
            }
            return Next.GO_ON;
        } finally {
            damagedRecords += reader.damagedRecords();
            skippedBytes += reader.skippedBytes();
            if (sources.size() == sourceIndex) {
                channel.close();
            }
        }
    }

    private void add(SegmentReader reader, int source, long capture, boolean keyframe) {
        table.beginFrame(source, reader.offset() + RecordDescriptor.HEADER_LENGTH, capture,
                (keyframe ? FrameTable.KEYFRAME : 0) | (dropped ? FrameTable.AFTER_DROP : 0));
        try {
            AnnexB.scan(reader.payload(), table::addUnit);
        } catch (MalformedMediaException e) {
            table.abandonFrame();
            malformedFrames++;
            dropFromHere();
            return;
        }
        table.endFrame();
        needKeyframe = false;
        dropped = false;
        if (firstShown < 0 && capture >= request.fromMicros()) {
            firstShown = table.size() - 1;
        }
    }

    /** Frames that follow refer to pictures that are missing: leave them out up to the next keyframe. */
    private void dropFromHere() {
        needKeyframe = true;
        dropped = true;
    }

    /** The entry of a segment's parameter sets: the previous segment's when they are the same; -1 if unusable. */
    private int entryOf(SegmentHeader header) {
        byte[] parameterSets = header.stream().parameterSets();
        if (!entries.isEmpty() && entries.get(entries.size() - 1).sameParameterSets(parameterSets)) {
            return entries.size() - 1;
        }
        try {
            entries.add(SampleEntry.of(header.stream().codec(), parameterSets));
            return entries.size() - 1;
        } catch (MalformedMediaException e) {
            return -1; // the first keyframe's in-band parameter sets may do (entryInBand)
        }
    }

    /** The entry of the parameter sets in front of a keyframe, for a segment whose header has none usable. */
    private int entryInBand(SegmentHeader header, ByteBuffer keyframe) {
        PixelFormat segmentCodec = header.stream().codec();
        ByteArrayOutputStream parameterSets = new ByteArrayOutputStream();
        try {
            AnnexB.scan(keyframe, (offset, length) -> {
                int type = length == 0 ? -1 : segmentCodec == PixelFormat.H264 ? keyframe.get(offset) & 0x1F
                        : (keyframe.get(offset) >> 1) & 0x3F;
                boolean parameterSet = segmentCodec == PixelFormat.H264 ? type == 7 || type == 8 : type >= 32 && type <= 34;
                if (parameterSet) {
                    parameterSets.writeBytes(new byte[] {0, 0, 0, 1});
                    for (int i = 0; i < length; i++) {
                        parameterSets.write(keyframe.get(offset + i));
                    }
                }
            });
            byte[] found = parameterSets.toByteArray();
            if (!entries.isEmpty() && entries.get(entries.size() - 1).sameParameterSets(found)) {
                return entries.size() - 1;
            }
            entries.add(SampleEntry.of(segmentCodec, found));
            return entries.size() - 1;
        } catch (MalformedMediaException e) {
            notes.add("a keyframe at " + Instants.format(header.startTimeMicros()) + " of segment "
                    + Long.toHexString(header.segmentId()) + " has no usable parameter sets (" + e.getMessage()
                    + "), in its header or in front of it; its frames are left out");
            return -1;
        }
    }

    private ExportException nothingToExport() {
        String camera = request.camera();
        String range = Instants.format(request.fromMicros()) + " and " + Instants.format(request.toMicros());
        if (framesInRange > 0) {
            return new ExportException(ExportException.Reason.UNUSABLE_VIDEO, "camera " + camera + " has " + framesInRange
                    + " frames between " + range + ", but none can be exported (" + framesDropped + " after damage, "
                    + malformedFrames + " malformed" + (notes.isEmpty() ? "" : "; " + String.join("; ", notes))
                    + "). Check the store with `virta record check --store " + view.directory() + "`.");
        }
        long day = 24L * 3600 * 1_000_000;
        Coverage nearby = view.index().coverage(camera, request.fromMicros() - day, request.toMicros() + day,
                request.gapMicros());
        List<Span> before = nearby.spans().stream().filter(s -> s.endMicros() < request.fromMicros()).toList();
        List<Span> after = nearby.spans().stream().filter(s -> s.startMicros() > request.toMicros()).toList();
        List<Span> shown = new ArrayList<>(before.subList(Math.max(0, before.size() - 3), before.size()));
        shown.addAll(after.subList(0, Math.min(3, after.size())));
        String spans = shown.isEmpty() ? "none within a day of it"
                : shown.stream().map(s -> Instants.format(s.startMicros()) + " to " + Instants.format(s.endMicros()))
                .collect(Collectors.joining(", "));
        return new ExportException(ExportException.Reason.NO_VIDEO, "camera " + camera + " has no video between "
                + range + "; recorded spans nearby: " + spans + ". Pick a range inside one (virta record ls --store "
                + view.directory() + " --camera " + camera + ").");
    }

    private ExportSummary summary() {
        List<Span> gaps = new ArrayList<>();
        int keyframes = 0;
        for (int i = 0; i < table.size(); i++) {
            if (table.isKeyframe(i)) {
                keyframes++;
            }
            if (i > firstShown) {
                long previous = table.captureMicros(i - 1);
                long current = table.captureMicros(i);
                if (table.isAfterDrop(i) || current - previous > request.gapMicros()) {
                    gaps.add(new Span(previous, current));
                }
            }
        }
        List<ExportSummary.Stream> streams = new ArrayList<>();
        List<ExportSummary.Source> segments = new ArrayList<>();
        int lastEntry = -1;
        for (int i = 0; i < table.size(); i++) {
            ExportPlan.Source source = sources.get(table.segment(i));
            if (source.entry() != lastEntry) {
                SampleEntry entry = entries.get(source.entry());
                streams.add(new ExportSummary.Stream(table.captureMicros(i), entry.width(), entry.height(), 0));
                lastEntry = source.entry();
            }
            ExportSummary.Stream stream = streams.getLast();
            streams.set(streams.size() - 1, new ExportSummary.Stream(stream.fromCaptureMicros(), stream.width(),
                    stream.height(), stream.frames() + 1));
            if (segments.isEmpty() || segments.getLast().segmentId() != source.row().id()) {
                segments.add(new ExportSummary.Source(source.row().id(), source.row().file(), table.captureMicros(i),
                        table.captureMicros(i), 0));
            }
            ExportSummary.Source last = segments.getLast();
            segments.set(segments.size() - 1, new ExportSummary.Source(last.segmentId(), last.file(),
                    last.firstCaptureMicros(), table.captureMicros(i), last.frames() + 1));
        }
        return new ExportSummary(request.camera(), request.format(), codec, request.fromMicros(), request.toMicros(),
                table.captureMicros(firstShown), table.captureMicros(table.size() - 1), table.size() - firstShown,
                firstShown, keyframes, gaps, streams, segments,
                new ExportSummary.Damage(damagedRecords, skippedBytes, framesDropped, malformedFrames, segmentsMissing),
                notes);
    }
}

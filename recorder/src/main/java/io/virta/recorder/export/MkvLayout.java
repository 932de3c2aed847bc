package io.virta.recorder.export;

import java.nio.charset.StandardCharsets;

/**
 * The Matroska file of an export (docs/recording-format.md section 11.5; RFC 9559): the EBML header, then
 * one Segment of known size holding a SeekHead, Info, one video track whose CodecPrivate is the first
 * sample entry's decoder configuration, one Cluster per keyframe with a SimpleBlock per frame, and Cues
 * (one per cluster) at the end. Timestamps are in milliseconds from the first frame, which is the keyframe
 * at or before the range's start: Matroska has no edit list, so an MKV starts up to one GOP early.
 *
 * <p>All sizes are known from the plan, so the file is virtual like the MP4 and any range of it can be
 * made. Built once per export; about 10 bytes per frame of block headers. Not for use outside the package.
 */
final class MkvLayout {
    /** One millisecond, Matroska's default TimestampScale. */
    static final long TIMESTAMP_SCALE_NANOS = 1_000_000;
    private static final long UNITS_PER_SECOND = 1_000_000_000L / TIMESTAMP_SCALE_NANOS;
    /** 2001-01-01T00:00:00Z, Matroska's DateUTC origin, in µs since the Unix epoch. */
    private static final long EPOCH_2001_MICROS = 978_307_200_000_000L;

    private static final int EBML = 0x1A45DFA3;
    private static final int SEGMENT = 0x18538067;
    private static final int SEEK_HEAD = 0x114D9B74;
    private static final int SEEK = 0x4DBB;
    private static final int SEEK_ID = 0x53AB;
    private static final int SEEK_POSITION = 0x53AC;
    private static final int INFO = 0x1549A966;
    private static final int TRACKS = 0x1654AE6B;
    private static final int CLUSTER = 0x1F43B675;
    private static final int CUES = 0x1C53BB6B;
    private static final int TIMESTAMP = 0xE7;
    private static final int SIMPLE_BLOCK = 0xA3;
    /** A SimpleBlock's header after its size: track number 1 (as a 1-byte vint), a 16-bit timestamp, flags. */
    private static final int BLOCK_HEADER = 4;
    /** Block sizes are written as 4-byte vints: up to 2^28 - 2 bytes, above the 64 MiB a record may hold. */
    private static final int BLOCK_SIZE_LENGTH = 4;

    private MkvLayout() {
    }

    static Layout build(ExportPlan plan) {
        FrameTable frames = plan.frames();
        int count = frames.size();
        long[] ticks = Layout.ticks(frames, UNITS_PER_SECOND, Integer.MAX_VALUE);
        long duration = ticks[count - 1] + Layout.lastDuration(frames, ticks, plan.request().gapMicros(), UNITS_PER_SECOND);

        byte[] info = info(plan, duration);
        byte[] tracks = tracks(plan);
        int seekHeadLength = seekHead(0, 0, 0).length;
        long infoPosition = seekHeadLength;
        long tracksPosition = infoPosition + info.length;
        long clustersPosition = tracksPosition + tracks.length;

        // clusters: one per keyframe, or where a block's 16-bit relative timestamp would overflow
        boolean[] clusterStart = new boolean[count];
        long[] clusterLength = new long[count];
        int current = -1;
        for (int i = 0; i < count; i++) {
            if (current < 0 || frames.isKeyframe(i) || ticks[i] - ticks[current] > Short.MAX_VALUE) {
                current = i;
                clusterStart[i] = true;
                clusterLength[i] = uintElementLength(ticks[i]);
            }
            clusterLength[current] += 1 + BLOCK_SIZE_LENGTH + BLOCK_HEADER + frames.bodyLength(i);
        }
        ByteSink preludes = new ByteSink();
        ByteSink cuePoints = new ByteSink();
        int[] preludeStart = new int[count + 1];
        long position = clustersPosition;
        long clusterTicks = 0;
        for (int i = 0; i < count; i++) {
            preludeStart[i] = preludes.length();
            if (clusterStart[i]) {
                clusterTicks = ticks[i];
                if (frames.isKeyframe(i)) {
                    ByteSink positions = new ByteSink();
                    uint(positions, 0xF7, 1);          // CueTrack
                    uint(positions, 0xF1, position);   // CueClusterPosition
                    ByteSink point = new ByteSink();
                    uint(point, 0xB3, ticks[i]);       // CueTime
                    element(point, 0xB7, positions.toByteArray());
                    element(cuePoints, 0xBB, point.toByteArray());
                }
                id(preludes, CLUSTER);
                size8(preludes, clusterLength[i]);
                uint(preludes, TIMESTAMP, ticks[i]);
            }
            int blockLength = BLOCK_HEADER + frames.bodyLength(i);
            preludes.u8(SIMPLE_BLOCK);
            preludes.u32(0x1000_0000L | blockLength); // 4-byte vint
            preludes.u8(0x81).u16((int) (ticks[i] - clusterTicks)).u8(frames.isKeyframe(i) ? 0x80 : 0x00);
            position += preludes.length() - preludeStart[i] + frames.bodyLength(i);
        }
        preludeStart[count] = preludes.length();
        ByteSink cues = new ByteSink();
        element(cues, CUES, cuePoints.toByteArray());
        long cuesPosition = position;
        long segmentLength = cuesPosition + cues.length();

        ByteSink head = new ByteSink();
        ByteSink ebml = new ByteSink();
        uint(ebml, 0x4286, 1);   // EBMLVersion
        uint(ebml, 0x42F7, 1);   // EBMLReadVersion
        uint(ebml, 0x42F2, 4);   // EBMLMaxIDLength
        uint(ebml, 0x42F3, 8);   // EBMLMaxSizeLength
        string(ebml, 0x4282, "matroska");
        uint(ebml, 0x4287, 4);   // DocTypeVersion
        uint(ebml, 0x4285, 2);   // DocTypeReadVersion: SimpleBlock
        element(head, EBML, ebml.toByteArray());
        id(head, SEGMENT);
        size8(head, segmentLength);
        head.bytes(seekHead(infoPosition, tracksPosition, cuesPosition)).bytes(info).bytes(tracks);
        return new Layout(head.toByteArray(), preludes.toByteArray(), preludeStart, cues.toByteArray());
    }

    /** The SeekHead, with 8-byte positions so that its length does not depend on them. */
    private static byte[] seekHead(long info, long tracks, long cues) {
        ByteSink seeks = new ByteSink();
        for (long[] entry : new long[][] {{INFO, info}, {TRACKS, tracks}, {CUES, cues}}) {
            ByteSink seek = new ByteSink();
            ByteSink id = new ByteSink();
            id(id, (int) entry[0]);
            element(seek, SEEK_ID, id.toByteArray());
            id(seek, SEEK_POSITION);
            seek.u8(0x88).u64(entry[1]);
            element(seeks, SEEK, seek.toByteArray());
        }
        ByteSink out = new ByteSink();
        element(out, SEEK_HEAD, seeks.toByteArray());
        return out.toByteArray();
    }

    private static byte[] info(ExportPlan plan, long duration) {
        ExportSummary summary = plan.summary();
        ByteSink info = new ByteSink();
        uint(info, 0x2AD7B1, TIMESTAMP_SCALE_NANOS);
        id(info, 0x4489); // Duration, a float in TimestampScale units
        info.u8(0x88).u64(Double.doubleToLongBits(duration));
        long firstFrame = plan.frames().captureMicros(0);
        id(info, 0x4461); // DateUTC: ns since 2001, of the first frame
        info.u8(0x88).u64((firstFrame - EPOCH_2001_MICROS) * 1000);
        string(info, 0x7BA9, summary.camera() + " " + Instants.format(summary.requestedFromMicros()) + " to "
                + Instants.format(summary.requestedToMicros()));
        string(info, 0x4D80, "Virta");
        string(info, 0x5741, "Virta recorder export");
        ByteSink out = new ByteSink();
        element(out, INFO, info.toByteArray());
        return out.toByteArray();
    }

    private static byte[] tracks(ExportPlan plan) {
        SampleEntry entry = plan.entries().get(plan.segments().get(plan.frames().segment(0)).entry());
        ByteSink video = new ByteSink();
        uint(video, 0xB0, entry.width());
        uint(video, 0xBA, entry.height());
        ByteSink track = new ByteSink();
        uint(track, 0xD7, 1);      // TrackNumber
        uint(track, 0x73C5, 1);    // TrackUID
        uint(track, 0x83, 1);      // TrackType: video
        uint(track, 0x9C, 0);      // FlagLacing
        string(track, 0x86, entry.matroskaCodecId());
        element(track, 0x63A2, entry.configurationUnsafe());
        string(track, 0x22B59C, "und");
        string(track, 0x536E, plan.request().camera());
        element(track, 0xE0, video.toByteArray());
        ByteSink entries = new ByteSink();
        element(entries, 0xAE, track.toByteArray());
        ByteSink out = new ByteSink();
        element(out, TRACKS, entries.toByteArray());
        return out.toByteArray();
    }

    private static void id(ByteSink out, int id) {
        if ((id & 0xFF00_0000) != 0) {
            out.u32(id & 0xFFFF_FFFFL);
        } else if ((id & 0xFF_0000) != 0) {
            out.u24(id);
        } else if ((id & 0xFF00) != 0) {
            out.u16(id);
        } else {
            out.u8(id);
        }
    }

    /** An element with a body: its size as the shortest vint. */
    private static void element(ByteSink out, int id, byte[] body) {
        id(out, id);
        size(out, body.length);
        out.bytes(body);
    }

    private static void size(ByteSink out, long size) {
        int length = 1;
        while (length < 8 && size >= (1L << (7 * length)) - 1) {
            length++;
        }
        long marked = size | (1L << (7 * length));
        for (int i = length - 1; i >= 0; i--) {
            out.u8((int) (marked >>> (8 * i)));
        }
    }

    /** An 8-byte vint: sizes written before they are all known stay the same length. */
    private static void size8(ByteSink out, long size) {
        out.u8(0x01).u8((int) (size >>> 48)).u16((int) (size >>> 32)).u32(size & 0xFFFF_FFFFL);
    }

    private static void uint(ByteSink out, int id, long value) {
        int length = uintLength(value);
        id(out, id);
        size(out, length);
        for (int i = length - 1; i >= 0; i--) {
            out.u8((int) (value >>> (8 * i)));
        }
    }

    private static int uintLength(long value) {
        int length = 1;
        while (length < 8 && (value >>> (8 * length)) != 0) {
            length++;
        }
        return length;
    }

    /** The length of a cluster's Timestamp element (1-byte id, 1-byte size, the value). */
    private static int uintElementLength(long value) {
        return 2 + uintLength(value);
    }

    private static void string(ByteSink out, int id, String text) {
        element(out, id, text.getBytes(StandardCharsets.UTF_8));
    }
}

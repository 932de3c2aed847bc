package io.virta.recorder.export;

import io.virta.bus.PixelFormat;

import java.nio.charset.StandardCharsets;

/**
 * The MP4 of an export (docs/recording-format.md section 11.2): {@code ftyp}, then {@code moov} with one
 * video track, then one {@code mdat} holding the samples back to back, so that a player can start as soon
 * as it has the head. Media time runs at {@value #TIMESCALE} Hz from the first (key)frame; an edit list
 * starts the presentation at the first frame at or after the range's start. Each run of frames that share
 * parameter sets is one chunk with its own sample entry.
 *
 * <p>Built once per export, in memory: about 8 to 16 bytes per frame. Not for use outside the package.
 */
final class Mp4Layout {
    /** 90 kHz, the RTP clock of video: capture times that came from RTP map back to whole ticks. */
    static final long TIMESCALE = 90_000;
    /** Seconds from 1904-01-01 (ISO base media time) to 1970-01-01. */
    private static final long EPOCH_1904 = 2_082_844_800L;
    private static final long U32 = 0xFFFF_FFFFL;
    private static final int[] MATRIX = {0x0001_0000, 0, 0, 0, 0x0001_0000, 0, 0, 0, 0x4000_0000};

    private Mp4Layout() {
    }

    static Layout build(ExportPlan plan) {
        FrameTable frames = plan.frames();
        long mdatPayload = 0;
        for (int i = 0; i < frames.size(); i++) {
            mdatPayload += frames.bodyLength(i);
        }
        byte[] ftyp = ftyp(plan);
        int mdatHeader = 8 + mdatPayload > U32 ? 16 : 8;
        byte[] probe = moov(plan, false, 0);
        boolean co64 = ftyp.length + probe.length + mdatHeader + mdatPayload > U32;
        int moovLength = co64 ? moov(plan, true, 0).length : probe.length;
        long firstSample = ftyp.length + moovLength + mdatHeader;
        byte[] moov = moov(plan, co64, firstSample);
        ByteSink head = new ByteSink();
        head.bytes(ftyp).bytes(moov);
        if (mdatHeader == 16) {
            head.u32(1).ascii("mdat").u64(16 + mdatPayload);
        } else {
            head.u32(8 + mdatPayload).ascii("mdat");
        }
        return new Layout(head.toByteArray(), new byte[0], new int[frames.size() + 1], new byte[0]);
    }

    private static byte[] ftyp(ExportPlan plan) {
        ByteSink out = new ByteSink();
        int box = out.box("ftyp");
        out.ascii("isom").u32(0x200).ascii("isom").ascii("iso2").ascii("mp41");
        if (plan.summary().codec() == PixelFormat.H264) {
            out.ascii("avc1");
        }
        out.end(box);
        return out.toByteArray();
    }

    private static byte[] moov(ExportPlan plan, boolean co64, long firstSample) {
        FrameTable frames = plan.frames();
        int count = frames.size();
        long[] ticks = Layout.ticks(frames, TIMESCALE, U32);
        long last = Layout.lastDuration(frames, ticks, plan.request().gapMicros(), TIMESCALE);
        long mediaDuration = ticks[count - 1] + last;
        long mediaStart = ticks[plan.firstShown()];
        long shownDuration = mediaDuration - mediaStart;
        long created = Math.max(0, plan.summary().firstCaptureMicros() / 1_000_000 + EPOCH_1904);
        boolean wide = mediaDuration > U32 || created > U32;
        int version = wide ? 1 : 0;
        SampleEntry shownEntry = plan.entries().get(plan.segments().get(frames.segment(plan.firstShown())).entry());

        ByteSink out = new ByteSink();
        int moov = out.box("moov");
        int mvhd = out.fullBox("mvhd", version, 0);
        times(out, wide, created);
        out.u32(TIMESCALE);
        wideOrNot(out, wide, shownDuration);
        out.u32(0x0001_0000).u16(0x0100).zeros(10);
        matrix(out);
        out.zeros(24).u32(2);
        out.end(mvhd);

        int trak = out.box("trak");
        int tkhd = out.fullBox("tkhd", version, 3); // enabled, in movie
        times(out, wide, created);
        out.u32(1).u32(0);
        wideOrNot(out, wide, shownDuration);
        out.zeros(8).u16(0).u16(0).u16(0).u16(0);
        matrix(out);
        out.u32((long) shownEntry.width() << 16).u32((long) shownEntry.height() << 16);
        out.end(tkhd);

        int edts = out.box("edts");
        int elst = out.fullBox("elst", version, 0);
        out.u32(1);
        wideOrNot(out, wide, shownDuration);
        wideOrNot(out, wide, mediaStart);
        out.u16(1).u16(0);
        out.end(elst);
        out.end(edts);

        int mdia = out.box("mdia");
        int mdhd = out.fullBox("mdhd", version, 0);
        times(out, wide, created);
        out.u32(TIMESCALE);
        wideOrNot(out, wide, mediaDuration);
        out.u16(0x55C4).u16(0); // language "und"
        out.end(mdhd);
        int hdlr = out.fullBox("hdlr", 0, 0);
        out.u32(0).ascii("vide").zeros(12).bytes(("Virta " + plan.request().camera() + "\0").getBytes(StandardCharsets.UTF_8));
        out.end(hdlr);
        int minf = out.box("minf");
        int vmhd = out.fullBox("vmhd", 0, 1);
        out.zeros(8);
        out.end(vmhd);
        int dinf = out.box("dinf");
        int dref = out.fullBox("dref", 0, 0);
        out.u32(1);
        out.end(out.fullBox("url ", 0, 1)); // the media is in this file
        out.end(dref);
        out.end(dinf);
        sampleTable(out, plan, ticks, last, co64, firstSample);
        out.end(minf);
        out.end(mdia);
        out.end(trak);
        out.end(moov);
        return out.toByteArray();
    }

    private static void sampleTable(ByteSink out, ExportPlan plan, long[] ticks, long lastDuration, boolean co64,
                                    long firstSample) {
        FrameTable frames = plan.frames();
        int count = frames.size();
        int stbl = out.box("stbl");

        int stsd = out.fullBox("stsd", 0, 0);
        out.u32(plan.entries().size());
        for (SampleEntry entry : plan.entries()) {
            int visual = out.box(entry.fourcc());
            out.zeros(6).u16(1);              // reserved, data_reference_index
            out.zeros(16);                    // pre_defined, reserved, pre_defined[3]
            out.u16(entry.width()).u16(entry.height());
            out.u32(0x0048_0000).u32(0x0048_0000).u32(0).u16(1); // 72 dpi, reserved, frame_count
            byte[] name = "Virta recorder".getBytes(StandardCharsets.US_ASCII);
            out.u8(name.length).bytes(name).zeros(31 - name.length);
            out.u16(0x0018).u16(0xFFFF);      // depth, pre_defined -1
            int configuration = out.box(entry.configurationBox());
            out.bytes(entry.configurationUnsafe());
            out.end(configuration);
            out.end(visual);
        }
        out.end(stsd);

        int stts = out.fullBox("stts", 0, 0);
        int entriesAt = out.length();
        out.u32(0);
        int runs = 0;
        long runDuration = -1;
        int runLength = 0;
        for (int i = 0; i < count; i++) {
            long duration = i + 1 < count ? ticks[i + 1] - ticks[i] : lastDuration;
            if (duration != runDuration) {
                if (runLength > 0) {
                    out.u32(runLength).u32(runDuration);
                    runs++;
                }
                runDuration = duration;
                runLength = 0;
            }
            runLength++;
        }
        out.u32(runLength).u32(runDuration);
        out.patch(entriesAt, runs + 1, 4);
        out.end(stts);

        int stss = out.fullBox("stss", 0, 0);
        entriesAt = out.length();
        out.u32(0);
        int keyframes = 0;
        for (int i = 0; i < count; i++) {
            if (frames.isKeyframe(i)) {
                out.u32(i + 1);
                keyframes++;
            }
        }
        out.patch(entriesAt, keyframes, 4);
        out.end(stss);

        // one chunk per run of frames with the same sample entry: the samples lie back to back in mdat
        int stsc = out.fullBox("stsc", 0, 0);
        entriesAt = out.length();
        out.u32(0);
        int chunks = 0;
        ByteSink offsets = new ByteSink();
        long position = firstSample;
        int runStart = 0;
        for (int i = 0; i <= count; i++) {
            if (i == count || i > runStart && entryOf(plan, i) != entryOf(plan, runStart)) {
                chunks++;
                out.u32(chunks).u32(i - runStart).u32(entryOf(plan, runStart) + 1L);
                runStart = i;
            }
            if (i < count) {
                if (i == runStart) {
                    if (co64) {
                        offsets.u64(position);
                    } else {
                        offsets.u32(position);
                    }
                }
                position += frames.bodyLength(i);
            }
        }
        out.patch(entriesAt, chunks, 4);
        out.end(stsc);

        int stsz = out.fullBox("stsz", 0, 0);
        out.u32(0).u32(count);
        for (int i = 0; i < count; i++) {
            out.u32(frames.bodyLength(i));
        }
        out.end(stsz);

        int stco = out.fullBox(co64 ? "co64" : "stco", 0, 0);
        out.u32(chunks).bytes(offsets.toByteArray());
        out.end(stco);
        out.end(stbl);
    }

    private static int entryOf(ExportPlan plan, int frame) {
        return plan.segments().get(plan.frames().segment(frame)).entry();
    }

    private static void times(ByteSink out, boolean wide, long created) {
        wideOrNot(out, wide, created);
        wideOrNot(out, wide, created);
    }

    private static void wideOrNot(ByteSink out, boolean wide, long value) {
        if (wide) {
            out.u64(value);
        } else {
            out.u32(value);
        }
    }

    private static void matrix(ByteSink out) {
        for (int value : MATRIX) {
            out.u32(value & U32);
        }
    }
}

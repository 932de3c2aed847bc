package io.virta.recorder.store;

import java.util.List;

/**
 * What recovery found and did (docs/recording-format.md section 6), for the log and for status.
 *
 * @param segmentsChecked   open segments whose tails were checked, and orphans read whole
 * @param tailsCut          segments whose torn tail was cut off (after a crash or a power cut)
 * @param bytesCut          bytes after the last intact record of those segments, zero or not
 * @param orphansAdopted    segment files the index did not know, now indexed
 * @param rowsDropped       index rows whose file was gone
 * @param filesMovedAside   files that were no readable segment, moved to {@code damaged/}
 * @param damagedRecords    damaged records inside sealed segments, passed over (a torn tail is not counted here)
 * @param notes             one line per thing a person may want to know, each naming its file
 */
public record RecoveryReport(int segmentsChecked, int tailsCut, long bytesCut, int orphansAdopted, int rowsDropped,
                             int filesMovedAside, long damagedRecords, List<String> notes) {
    public RecoveryReport {
        notes = List.copyOf(notes);
    }

    /** True when the store needed nothing. */
    public boolean clean() {
        return tailsCut == 0 && orphansAdopted == 0 && rowsDropped == 0 && filesMovedAside == 0 && damagedRecords == 0;
    }

    @Override
    public String toString() {
        return "recovery: " + segmentsChecked + " segments checked, " + tailsCut + " torn tails cut (" + bytesCut
                + " bytes after their last intact records released), " + orphansAdopted + " orphans adopted, " + rowsDropped + " index rows without a file dropped, "
                + filesMovedAside + " files moved aside, " + damagedRecords + " damaged records";
    }
}

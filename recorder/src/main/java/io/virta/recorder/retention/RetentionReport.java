package io.virta.recorder.retention;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What one retention run saw and did, for status and tests.
 *
 * @param at             the retention clock's time of the run
 * @param deleted        the segments it deleted, in the order it deleted them
 * @param warnings       the budgets it could not meet ({@link BudgetWarning#message} says why and what to do)
 * @param paused         why it deleted nothing, if it did not dare to (a protection or marks file it cannot read)
 * @param notes          other things worth a look: damaged mark lines, files it could not delete
 * @param cameraBytes    bytes of video per camera after the run (sealed: file size; open: preallocated size)
 * @param storeBytes     bytes of video of all cameras after the run
 * @param usableBytes    free bytes on the store's disk after the run (estimated), empty when unknown
 */
public record RetentionReport(Instant at, List<Deletion> deleted, List<BudgetWarning> warnings, Optional<String> paused,
                              List<String> notes, Map<String, Long> cameraBytes, long storeBytes,
                              OptionalLong usableBytes) {
    public RetentionReport {
        deleted = List.copyOf(deleted);
        warnings = List.copyOf(warnings);
        notes = List.copyOf(notes);
        cameraBytes = Map.copyOf(cameraBytes);
    }

    /** Before the first run. */
    static RetentionReport none(Instant at) {
        return new RetentionReport(at, List.of(), List.of(), Optional.empty(), List.of(), Map.of(), 0, OptionalLong.empty());
    }

    /**
     * What this run says about {@code camera}'s video in the store {@code store}, for its status line:
     * that deletion is paused, or the first warning of the camera's own budget or the store's; empty
     * when all is well.
     */
    public Optional<String> concerning(String camera, java.nio.file.Path store) {
        if (paused.isPresent()) {
            return Optional.of("retention paused: " + paused.get());
        }
        return warnings.stream().filter(w -> w.scope().equals(camera) || w.scope().equals(store.toString()))
                .map(w -> "retention: " + w.message()).findFirst();
    }

    /** True when every budget is met and nothing is paused. */
    public boolean healthy() {
        return warnings.isEmpty() && paused.isEmpty();
    }
}

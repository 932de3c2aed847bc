package io.virta.recorder.retention;

/**
 * A byte budget retention could not meet, and why: what it may not delete is too large. Status shows
 * it; the log says it when it starts and every 10 minutes while it lasts.
 *
 * @param budget          which budget
 * @param scope           the camera (for {@link Budget#CAMERA_MAX_BYTES}) or the store directory
 * @param limitBytes      the budget: the most bytes of video, or for {@link Budget#KEEP_FREE} the least free bytes
 * @param excessBytes     how far it is missed after this run
 * @param minAgeBytes     bytes of sealed video kept because it is younger than {@code minAge}
 * @param protectedBytes  bytes of sealed video kept because a protected range covers it
 * @param openBytes       bytes of the segments being written (preallocated), which are never deleted
 */
public record BudgetWarning(Budget budget, String scope, long limitBytes, long excessBytes, long minAgeBytes,
                            long protectedBytes, long openBytes) {
    /** One line for the log and status: what is wrong and what to do about it. */
    public String message() {
        String what = switch (budget) {
            case CAMERA_MAX_BYTES -> "camera " + scope + " is " + excessBytes + " bytes over its maxBytes " + limitBytes;
            case STORE_MAX_BYTES -> "store " + scope + " is " + excessBytes + " bytes over its maxBytes " + limitBytes;
            case KEEP_FREE -> "the disk of store " + scope + " has " + excessBytes + " bytes less free than keepFree "
                    + limitBytes;
        };
        StringBuilder advice = new StringBuilder(what).append(": retention may not delete ");
        advice.append(minAgeBytes).append(" bytes younger than minAge, ").append(protectedBytes)
                .append(" bytes in protected ranges and ").append(openBytes).append(" bytes of segments being written");
        if (minAgeBytes > 0) {
            advice.append("; use a bigger disk, raise the budget or lower minAge");
        }
        if (protectedBytes > 0) {
            advice.append("; remove protected ranges that are no longer needed, or use a bigger disk");
        }
        if (minAgeBytes == 0 && protectedBytes == 0) {
            advice.append(budget == Budget.KEEP_FREE
                    ? "; other files fill the disk: free space there, lower keepFree or use a bigger disk"
                    : "; the budget is smaller than one segment per camera: raise it (docs/recording.md, \"Sizing budgets\")");
        }
        return advice.toString();
    }
}

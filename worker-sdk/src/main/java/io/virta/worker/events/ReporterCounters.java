package io.virta.worker.events;

/**
 * What an {@link EventReporter} has done so far.
 *
 * @param sent        events the hub journaled
 * @param rejected    events the hub refused one by one (a bad field; the reason is logged)
 * @param dropped     events pushed out of the full queue (the oldest go first) or still queued when
 *                    {@link EventReporter#close()} gave up
 * @param failed      events given up on after an error that retrying cannot cure (the hub refused the
 *                    whole request, e.g. UNIMPLEMENTED: not a hub at that address)
 * @param failedCalls Report calls that failed and were retried (the hub was down or slow)
 * @param pending     events waiting in the queue or in flight now
 */
public record ReporterCounters(long sent, long rejected, long dropped, long failed, long failedCalls, long pending) {
}

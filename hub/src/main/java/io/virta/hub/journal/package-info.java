/**
 * The event journal: a Chronicle Queue directory with one file per hour, the event id being the
 * Chronicle index; appends, reads by journal time and capture time, retention. See {@link
 * io.virta.hub.journal.EventJournal}.
 */
package io.virta.hub.journal;

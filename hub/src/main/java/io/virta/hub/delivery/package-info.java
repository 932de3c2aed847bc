/**
 * Getting events out: live fan-out to subscriptions (bounded queue each, drop-newest with a Missed
 * notice, transport flow control), replay from the journal with a seamless switch to live, and
 * queries streamed at the client's pace.
 */
package io.virta.hub.delivery;

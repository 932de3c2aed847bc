package io.virta.producer.web;

import io.netty.buffer.ByteBuf;

/**
 * A camera's current init segment as browsers get it: the {@link FragmentHeader} message around the
 * ftyp+moov that the muxer's {@code InitSegmentWriter} wrote, cached for browsers that join later,
 * with what the page shows about it. {@code generation} grows with each new one, so a
 * client can tell whether it has sent the current one.
 */
record BrowserInitSegment(ByteBuf message, long generation, String codecs, int width, int height) {
}

package io.virta.rtsp.sdp;

/**
 * One {@code a=} line as written: {@code a=name:value}, or {@code a=name} (a flag, value {@code ""}).
 * Kept for every attribute, known or not, so callers can read vendor extensions.
 */
public record Attribute(String name, String value) {
}

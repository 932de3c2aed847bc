package io.virta.rtsp.media;

/** Receives access units; the unit is valid only during the call (see {@link AccessUnit}). */
@FunctionalInterface
public interface AccessUnitListener {
    void onAccessUnit(AccessUnit unit);
}

/**
 * Fragmented MP4 (ISO BMFF, ISO/IEC 14496-12 and -15) from access units, without re-encoding: an
 * init segment (ftyp+moov, avc1/avcC or hvc1/hvcC from the stream's parameter sets) and one moof+mdat fragment per
 * access unit, written by {@link io.virta.producer.mux.fmp4.BoxWriter} straight into a caller's
 * memory (a bus cell) with no allocation per frame.
 */
package io.virta.producer.mux.fmp4;

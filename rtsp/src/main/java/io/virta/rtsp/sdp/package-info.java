/**
 * SDP (RFC 8866, formerly 4566): what an RTSP {@code DESCRIBE} answers, or what an {@code .sdp} file
 * says about a multicast RTP stream.
 *
 * <p>Start at {@link io.virta.rtsp.sdp.SessionDescription#parse}: it gives the session, its
 * {@link io.virta.rtsp.sdp.MediaDescription media sections}, and for a video section the
 * {@link io.virta.rtsp.sdp.VideoFormat}: codec, payload type and the parameter sets
 * (VPS/SPS/PPS) a decoder needs before the first keyframe arrives.
 * {@link io.virta.rtsp.sdp.SessionDescription#resolveControl} turns a section's
 * {@code a=control} into the URL to {@code SETUP}.
 *
 * <p>Cameras write sloppy SDP, so the parser tolerates what it does not need (unknown lines and
 * attributes, an odd origin, a bad frame rate) and is strict only about what streaming depends on
 * ({@code m=}, {@code c=}, {@code a=rtpmap}, the codec's {@code a=fmtp} parameters). What it rejects
 * it rejects with an {@link io.virta.rtsp.sdp.SdpException} that names the source, the line and
 * the field. Parsing happens once per session, so these types allocate freely.
 */
package io.virta.rtsp.sdp;

/**
 * RTCP (RFC 3550) for a receiving client: read what the camera sends, report what we received.
 *
 * <ul>
 *   <li>{@link io.virta.rtsp.rtcp.CompoundPacketReader} walks a compound packet in place
 *       (a flyweight: no allocation per packet) and exposes Sender Reports and BYE; malformed data
 *       stops it with an {@link io.virta.rtsp.rtcp.RtcpError}, never an exception.</li>
 *   <li>{@link io.virta.rtsp.rtcp.ReceiverStatistics} keeps the per-source counters of RFC 3550
 *       A.1, A.3 and A.8 (sequence validation, loss, jitter) and the last SR for LSR/DLSR.</li>
 *   <li>{@link io.virta.rtsp.rtcp.ReceiverReportWriter} writes RR + SDES CNAME from them into
 *       a caller's buffer.</li>
 *   <li>{@link io.virta.rtsp.rtcp.WallClockMapper} turns RTP timestamps into wall-clock time
 *       using the SR's NTP/RTP pair; {@link io.virta.rtsp.rtcp.NtpTime} converts NTP to Unix.</li>
 * </ul>
 *
 * Every type here is single-threaded: one RTP session's receive path owns its instances.
 */
package io.virta.rtsp.rtcp;

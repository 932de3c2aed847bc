/**
 * Cameras described by an SDP file instead of an RTSP URL: the sender (a camera, ffmpeg, a
 * multicast re-streamer) pushes RTP to a unicast or multicast address, and the file says where,
 * and which codec with which parameter sets.
 *
 * <p>Start at {@link io.virta.producer.source.sdp.SdpFileSource}, a
 * {@link io.virta.producer.source.CameraSource} that feeds the same
 * {@link io.virta.producer.source.TrackReceiver} as an RTSP camera.
 * {@link io.virta.producer.source.sdp.SdpFile#read} checks a file on its own, e.g. when the
 * configuration is validated; what it refuses it refuses with an
 * {@link io.virta.producer.source.sdp.SdpSourceException} that names the file and the field.
 */
package io.virta.producer.source.sdp;

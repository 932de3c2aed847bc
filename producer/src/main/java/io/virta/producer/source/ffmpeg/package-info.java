/**
 * Cameras made of anything FFmpeg opens other than RTSP: video files (mkv, mp4, raw H264/H265,
 * looped and sought, released in real time), HTTP(S) streams and V4L2 USB cameras.
 * {@link io.virta.producer.source.ffmpeg.FfmpegSource} demuxes with libavformat and emits the same
 * {@link io.virta.rtsp.media.AccessUnit}s as the RTSP depacketizers, so the rest of the
 * pipeline cannot tell the difference.
 */
package io.virta.producer.source.ffmpeg;

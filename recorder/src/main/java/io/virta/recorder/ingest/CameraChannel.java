package io.virta.recorder.ingest;

import io.virta.bus.ChannelName;
import io.virta.bus.PixelFormat;

/**
 * A camera to record and the codec of its encoded channel: the producer publishes the camera's
 * access units in {@code CAMERA.h264} or {@code CAMERA.h265} (docs/bus-format.md), and the recorder
 * reads that channel and writes the camera's directory in the store.
 */
public record CameraChannel(String camera, PixelFormat codec) {
    public CameraChannel {
        ChannelName.validate(camera);
        ChannelName.validate(camera + ".h264"); // the channel's name is 5 longer: a 60-character limit in effect
        if (codec != PixelFormat.H264 && codec != PixelFormat.H265) {
            throw new IllegalArgumentException("camera " + camera + ": the recorder reads H264 or H265 channels, not "
                    + codec);
        }
    }

    public static CameraChannel h264(String camera) {
        return new CameraChannel(camera, PixelFormat.H264);
    }

    public static CameraChannel h265(String camera) {
        return new CameraChannel(camera, PixelFormat.H265);
    }

    /** The bus channel that carries the camera's access units. */
    public String channelName() {
        return ChannelName.validate(camera + (codec == PixelFormat.H265 ? ".h265" : ".h264"));
    }
}

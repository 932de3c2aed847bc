package io.virta.producer.output;

import io.virta.producer.web.WebView;
import io.virta.rtsp.server.RtspServer;

import java.util.Optional;

/**
 * The factories of the outputs Virta's producer always has, each asking the camera's configuration
 * whether it wants one. The producer lists them in this order (the order units reach them):
 * {@link #rtspMount}, {@link #rtpOut}, {@link #webMount}, {@link #encodedChannel},
 * {@link #fmp4Channel}, {@link #yuvChannel}, {@link #rgbChannel}. Picture outputs need the encoded
 * channel: the decoder reads it.
 */
public final class StandardOutputs {
    private StandardOutputs() {
    }

    /** Re-serves each running camera on the producer's RTSP server. */
    public static OutputFactory rtspMount(RtspServer server) {
        return OutputFactory.of(OutputFactory.Lifetime.RUN,
                camera -> Optional.of(new RtspMountOutput(server, camera.config().name())));
    }

    /** Sends a camera as RTP when it has {@code rtpOut:}. */
    public static OutputFactory rtpOut() {
        return OutputFactory.of(OutputFactory.Lifetime.CAMERA, camera -> camera.config().rtpOut() == null
                ? Optional.empty() : Optional.of(RtpOutput.open(camera.config())));
    }

    /** Shows each running camera in the browser live view. */
    public static OutputFactory webMount(WebView view) {
        return OutputFactory.of(OutputFactory.Lifetime.RUN,
                camera -> Optional.of(new WebMountOutput(view, camera.config().name())));
    }

    /** {@code <name>.h264} or {@code <name>.h265}, always: the decoder reads it. */
    public static OutputFactory encodedChannel() {
        return camera -> Optional.of(ChannelOutput.encoded(camera));
    }

    /** {@code <name>.mp4} when {@code fmp4.enabled}. */
    public static OutputFactory fmp4Channel() {
        return camera -> camera.config().fmp4().enabled() ? Optional.of(ChannelOutput.fmp4(camera)) : Optional.empty();
    }

    /** {@code <name>.yuv} when {@code yuv.enabled}. */
    public static OutputFactory yuvChannel() {
        return camera -> camera.config().yuv().enabled() ? Optional.of(ChannelOutput.yuv(camera)) : Optional.empty();
    }

    /** {@code <name>.rgb} when {@code rgb.enabled}. */
    public static OutputFactory rgbChannel() {
        return camera -> camera.config().rgb().enabled() ? Optional.of(ChannelOutput.rgb(camera)) : Optional.empty();
    }
}

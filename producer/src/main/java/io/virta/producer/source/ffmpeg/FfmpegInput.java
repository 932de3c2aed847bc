package io.virta.producer.source.ffmpeg;

import io.virta.producer.decode.VideoDecoder;
import io.virta.rtsp.media.VideoCodec;
import io.virta.producer.source.ffmpeg.FfmpegSourceOptions.InputKind;
import org.bytedeco.ffmpeg.avcodec.AVBSFContext;
import org.bytedeco.ffmpeg.avcodec.AVBitStreamFilter;
import org.bytedeco.ffmpeg.avcodec.AVCodecParameters;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVInputFormat;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVDictionaryEntry;
import org.bytedeco.ffmpeg.avutil.AVRational;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avdevice;
import org.bytedeco.ffmpeg.global.avformat;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerPointer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One opened input: libavformat's demuxer, the H264/H265 stream chosen in it, and, where the
 * container stores NAL units with length prefixes (avcC/hvcC in mp4 and mkv), the
 * {@code *_mp4toannexb} bitstream filter that turns them into Annex-B. Owns its native memory;
 * used by one thread.
 *
 * <p>{@link #read()} hands out packets of the chosen stream one at a time, in place, without
 * allocating: the caller reads the current packet through {@link PacketFields}.
 */
final class FfmpegInput implements AutoCloseable {
    /** AVERROR(EAGAIN) with Linux's EAGAIN (11): a device has no picture ready yet. */
    static final int AVERROR_EAGAIN = -11;

    private final String name;
    private final InputKind kind;
    private final Interrupter interrupter;
    private final long silenceNanos;
    private AVFormatContext format;
    private final int videoIndex;
    private final VideoCodec codec;
    private final long timeBaseNum;
    private final long timeBaseDen;
    private final long startTime;
    private final long frameDuration90k;
    private final boolean timestamped;
    private final String description;
    private AVBSFContext filter;
    private final AVPacket demuxed;
    private final AVPacket filtered;
    private final long demuxedAddress;
    private final long filteredAddress;
    private byte[] parameterSets;
    private boolean filterHasOutput;
    private long current;

    private FfmpegInput(String name, InputKind kind, Interrupter interrupter, long silenceNanos, AVFormatContext format,
            int videoIndex, VideoCodec codec, AVStream stream) {
        this.name = name;
        this.kind = kind;
        this.interrupter = interrupter;
        this.silenceNanos = silenceNanos;
        this.format = format;
        this.videoIndex = videoIndex;
        this.codec = codec;
        AVRational timeBase = stream.time_base();
        this.timeBaseNum = timeBase.num();
        this.timeBaseDen = timeBase.den();
        this.startTime = stream.start_time();
        this.frameDuration90k = frameDuration(stream);
        this.timestamped = (format.iformat().flags() & avformat.AVFMT_NOTIMESTAMPS) == 0;
        AVCodecParameters parameters = stream.codecpar();
        this.description = codec + " " + parameters.width() + "x" + parameters.height() + " in "
                + format.iformat().name().getString();
        this.demuxed = avcodec.av_packet_alloc();
        this.filtered = avcodec.av_packet_alloc();
        if (demuxed == null || filtered == null) {
            throw new OutOfMemoryError("avcodec could not allocate a packet");
        }
        this.demuxedAddress = demuxed.address();
        this.filteredAddress = filtered.address();
    }

    /**
     * Opens the input and chooses its first H264 or H265 video stream.
     *
     * @throws InputException saying, for people, what is wrong with the input and what to do
     */
    static FfmpegInput open(String camera, FfmpegSourceOptions options, Interrupter interrupter) throws InputException {
        InputKind kind = options.kind();
        String name = options.describeInput();
        String url = options.input();
        if (kind == InputKind.FILE) {
            Path path = filePath(camera, options);
            if (!Files.exists(path)) {
                throw new InputException("camera " + camera + ": file " + path + " does not exist");
            }
            if (Files.isDirectory(path)) {
                throw new InputException("camera " + camera + ": " + path + " is a directory, not a video file");
            }
            // "file:" keeps FFmpeg from reading a name with a colon as protocol:rest.
            url = "file:" + path.toAbsolutePath();
        } else if (kind == InputKind.DEVICE && !Files.exists(Path.of(url))) {
            throw new InputException("camera " + camera + ": V4L2 device " + url + " does not exist; is the camera"
                    + " plugged in? (ls /dev/video* lists the devices this machine has; v4l2-ctl --list-devices names them)");
        }
        Natives.init();
        AVInputFormat inputFormat = null;
        if (options.format() != null) {
            inputFormat = Natives.inputFormat(options.format());
            if (inputFormat == null) {
                throw new InputException("camera " + camera + ": this FFmpeg build has no input format '"
                        + options.format() + "' (ffmpeg -formats lists the names)");
            }
        }
        long silenceNanos = kind == InputKind.FILE ? 0 : options.reconnect().toNanos();

        AVFormatContext format = avformat.avformat_alloc_context();
        if (format == null) {
            throw new OutOfMemoryError("avformat could not allocate a format context");
        }
        interrupter.installIn(format);
        AVDictionary dictionary = new AVDictionary(null);
        String whitelist = ProtocolWhitelist.of(options);
        if (whitelist != null) {
            avutil.av_dict_set(dictionary, ProtocolWhitelist.OPTION, whitelist, 0);
        }
        for (Map.Entry<String, String> option : options.avOptions().entrySet()) {
            avutil.av_dict_set(dictionary, option.getKey(), option.getValue(), 0);
        }
        interrupter.armFor(silenceNanos);
        int rc = avformat.avformat_open_input(format, url, inputFormat, dictionary);
        List<String> unused = unusedOptions(dictionary);
        avutil.av_dict_free(dictionary);
        if (rc < 0) {
            // avformat_open_input frees the context when it fails.
            throw new InputException("camera " + camera + ": cannot open " + name + ": " + failure(rc, interrupter, silenceNanos)
                    + (kind == InputKind.DEVICE ? " (is it a V4L2 camera? v4l2-ctl --list-devices lists them)" : "")
                    + (rc == avutil.AVERROR_INVALIDDATA && whitelist != null ? "; if it leads to another protocol (a"
                    + " playlist or SDP pointing elsewhere), note that this camera may use only " + whitelist
                    + " (ffmpegOptions: {protocol_whitelist: ...} widens it)" : ""));
        }
        if (!unused.isEmpty()) {
            Natives.LOG.warning(() -> "camera " + camera + ": " + name + " did not use the options " + unused
                    + " (misspelt, or meant for another input format?)");
        }
        try {
            interrupter.armFor(silenceNanos);
            rc = avformat.avformat_find_stream_info(format, (PointerPointer<?>) null);
            if (rc < 0) {
                throw new InputException("camera " + camera + ": cannot read the streams of " + name + ": "
                        + failure(rc, interrupter, silenceNanos));
            }
            FfmpegInput input = chooseStream(camera, name, kind, interrupter, silenceNanos, format);
            format = null; // the input owns it now
            return input;
        } finally {
            if (format != null) {
                avformat.avformat_close_input(format);
            }
        }
    }

    private static FfmpegInput chooseStream(String camera, String name, InputKind kind, Interrupter interrupter,
            long silenceNanos, AVFormatContext format) throws InputException {
        int chosen = -1;
        VideoCodec codec = null;
        String otherVideo = null;
        List<String> streams = new ArrayList<>();
        for (int i = 0; i < format.nb_streams(); i++) {
            AVStream stream = format.streams(i);
            AVCodecParameters parameters = stream.codecpar();
            String codecName = avcodec.avcodec_get_name(parameters.codec_id()).getString();
            boolean video = parameters.codec_type() == avutil.AVMEDIA_TYPE_VIDEO
                    && (stream.disposition() & avformat.AV_DISPOSITION_ATTACHED_PIC) == 0;
            BytePointer type = avutil.av_get_media_type_string(parameters.codec_type());
            streams.add((type == null || type.isNull() ? "unknown" : type.getString()) + " " + codecName);
            if (video && chosen < 0) {
                if (parameters.codec_id() == avcodec.AV_CODEC_ID_H264) {
                    chosen = i;
                    codec = VideoCodec.H264;
                } else if (parameters.codec_id() == avcodec.AV_CODEC_ID_HEVC) {
                    chosen = i;
                    codec = VideoCodec.H265;
                } else if (otherVideo == null) {
                    otherVideo = codecName;
                }
            }
        }
        if (chosen < 0 && otherVideo != null) {
            String what = switch (kind) {
                case FILE -> "transcode it with ffmpeg, e.g. ffmpeg -i '" + name + "' -an -c:v libx264 -g 25 -bf 0 out.mkv";
                case DEVICE -> "set the camera to h264 if it offers it (v4l2-ctl --list-formats-ext -d " + name
                        + " lists its formats), or transcode with ffmpeg -f v4l2 -i " + name + " -c:v libx264 ..."
                        + " into an RTSP or HTTP stream";
                case NETWORK -> "set the camera to send H264, or transcode with ffmpeg -i <url> -c:v libx264 ...";
            };
            throw new InputException("camera " + camera + ": " + name + " carries " + otherVideo + " video; only H264"
                    + " and H265 are supported; " + what);
        }
        if (chosen < 0) {
            throw new InputException("camera " + camera + ": " + name + " has no video stream"
                    + (streams.isEmpty() ? "" : " (it has: " + String.join(", ", streams) + ")"));
        }
        for (int i = 0; i < format.nb_streams(); i++) {
            if (i != chosen) {
                // The demuxer then skips their packets instead of handing them to us.
                format.streams(i).discard(avcodec.AVDISCARD_ALL);
            }
        }
        AVStream stream = format.streams(chosen);
        FfmpegInput input = new FfmpegInput(name, kind, interrupter, silenceNanos, format, chosen, codec, stream);
        try {
            input.setUpAnnexB(camera, stream.codecpar(), stream.time_base());
        } catch (InputException | RuntimeException e) {
            input.format = null; // the caller closes the format context
            input.close();
            throw e;
        }
        return input;
    }

    /**
     * avcC/hvcC (the codec header starts with configurationVersion 1) means length-prefixed NAL
     * units: the bitstream filter rewrites them, and its output header holds the parameter sets in
     * Annex-B form. Otherwise the packets and the header are Annex-B already.
     */
    private void setUpAnnexB(String camera, AVCodecParameters parameters, AVRational timeBase) throws InputException {
        byte[] header = bytes(parameters.extradata(), parameters.extradata_size());
        if (header.length >= 7 && header[0] == 1) {
            String filterName = codec == VideoCodec.H265 ? "hevc_mp4toannexb" : "h264_mp4toannexb";
            AVBitStreamFilter bsf = avcodec.av_bsf_get_by_name(filterName);
            if (bsf == null) {
                throw new InputException("camera " + camera + ": this FFmpeg build lacks the " + filterName + " filter");
            }
            filter = new AVBSFContext(null);
            int rc = avcodec.av_bsf_alloc(bsf, filter);
            if (rc < 0) {
                filter = null;
                throw new OutOfMemoryError("avcodec could not allocate the " + filterName + " filter");
            }
            avcodec.avcodec_parameters_copy(filter.par_in(), parameters);
            filter.time_base_in(timeBase);
            rc = avcodec.av_bsf_init(filter);
            if (rc < 0) {
                throw new InputException("camera " + camera + ": " + name + ": the " + filterName
                        + " filter rejects the stream's codec header: " + VideoDecoder.describe(rc));
            }
            header = bytes(filter.par_out().extradata(), filter.par_out().extradata_size());
        }
        parameterSets = AnnexBUnitWriter.parameterSets(header, codec);
    }

    /**
     * Makes the next packet of the chosen stream current (see {@link #packet()}). Returns 0, or
     * {@code AVERROR_EOF} at the end, {@link #AVERROR_EAGAIN} when a device has nothing yet, or
     * another negative AVERROR.
     */
    int read() {
        while (true) {
            if (filterHasOutput) {
                avcodec.av_packet_unref(filtered);
                int rc = avcodec.av_bsf_receive_packet(filter, filtered);
                if (rc == 0) {
                    current = filteredAddress;
                    return 0;
                }
                filterHasOutput = false;
                if (rc != AVERROR_EAGAIN && rc != avutil.AVERROR_EOF) {
                    return rc;
                }
            }
            avcodec.av_packet_unref(demuxed);
            interrupter.armFor(silenceNanos);
            int rc = avformat.av_read_frame(format, demuxed);
            if (rc < 0) {
                return rc;
            }
            if (PacketFields.streamIndex(demuxedAddress) != videoIndex) {
                continue;
            }
            if (filter == null) {
                current = demuxedAddress;
                return 0;
            }
            rc = avcodec.av_bsf_send_packet(filter, demuxed);
            if (rc < 0) {
                return rc;
            }
            filterHasOutput = true;
        }
    }

    /** The current packet's address, for {@link PacketFields}; valid until the next {@link #read()}. */
    long packet() {
        return current;
    }

    /** A timestamp of the stream's time base in 90 kHz ticks; {@link Timeline#NONE} stays NONE. */
    long to90k(long timestamp) {
        if (timestamp == avutil.AV_NOPTS_VALUE) {
            return Timeline.NONE;
        }
        return avutil.av_rescale(timestamp, 90_000L * timeBaseNum, timeBaseDen);
    }

    /** Back to the first packet, for a loop. Returns false if this input cannot seek. */
    boolean seekToStart() {
        int rc;
        if (timestamped) {
            rc = avformat.av_seek_frame(format, videoIndex, startTime == avutil.AV_NOPTS_VALUE ? 0 : startTime,
                    avformat.AVSEEK_FLAG_BACKWARD);
        } else {
            rc = avformat.av_seek_frame(format, -1, 0, avformat.AVSEEK_FLAG_BYTE);
        }
        afterSeek();
        return rc >= 0;
    }

    /**
     * Positions the input at the keyframe at or before {@code seconds} from its start. Returns that
     * keyframe's time in 90 kHz ticks when the input has no timestamps of its own (a raw stream,
     * whose units are then timed from there), 0 when the input's own timestamps apply, or
     * {@link Timeline#NONE} when it cannot seek.
     */
    long seek(double seconds) {
        if (timestamped) {
            long target = (startTime == avutil.AV_NOPTS_VALUE ? 0 : startTime)
                    + Math.round(seconds * timeBaseDen / timeBaseNum);
            int rc = avformat.av_seek_frame(format, videoIndex, target, avformat.AVSEEK_FLAG_BACKWARD);
            afterSeek();
            if (rc >= 0) {
                return 0;
            }
        }
        return seekByScanning(Math.round(seconds * 90_000));
    }

    /**
     * Raw elementary streams carry no timestamps, so FFmpeg cannot seek in them by time: read
     * ahead counting frames, remember where the last keyframe at or before the target began,
     * and go back there by byte position.
     */
    private long seekByScanning(long target90k) {
        if (!seekToStart()) {
            return Timeline.NONE;
        }
        Timeline time = new Timeline();
        time.defaultFrameDuration(frameDuration90k);
        long keyPosition = -1;
        long keyTime = Timeline.NONE;
        while (read() == 0) {
            long p = current;
            time.next(to90k(PacketFields.pts(p)), to90k(PacketFields.dts(p)), to90k(PacketFields.duration(p)));
            if (time.decodeTime() > target90k) {
                break;
            }
            if ((PacketFields.flags(p) & avcodec.AV_PKT_FLAG_KEY) != 0 && PacketFields.pos(p) >= 0) {
                keyPosition = PacketFields.pos(p);
                keyTime = time.presentationTime();
            }
        }
        if (keyPosition < 0) {
            return Timeline.NONE;
        }
        int rc = avformat.av_seek_frame(format, -1, keyPosition, avformat.AVSEEK_FLAG_BYTE);
        afterSeek();
        return rc >= 0 ? keyTime : Timeline.NONE;
    }

    private void afterSeek() {
        avcodec.av_packet_unref(demuxed);
        avcodec.av_packet_unref(filtered);
        if (filter != null) {
            avcodec.av_bsf_flush(filter);
        }
        filterHasOutput = false;
    }

    VideoCodec codec() {
        return codec;
    }

    /** The stream's VPS/SPS/PPS from its codec header, Annex-B with 4-byte start codes; empty if it has none. */
    byte[] parameterSets() {
        return parameterSets;
    }

    /** One frame at the stream's nominal rate, in 90 kHz ticks (3600 when it does not say). */
    long frameDuration90k() {
        return frameDuration90k;
    }

    /** Whether the bitstream filter rewrites packets (the container stores avcC/hvcC). */
    boolean convertsToAnnexB() {
        return filter != null;
    }

    InputKind kind() {
        return kind;
    }

    /** For logs: codec, size and container, such as "H264 1280x720 in matroska,webm". */
    String description() {
        return description;
    }

    /** Whether the last failed call was cut short by the silence deadline (as opposed to close). */
    boolean timedOut() {
        return interrupter.timedOut();
    }

    @Override
    public void close() {
        if (demuxed != null) {
            avcodec.av_packet_free(demuxed);
        }
        if (filtered != null) {
            avcodec.av_packet_free(filtered);
        }
        if (filter != null) {
            avcodec.av_bsf_free(filter);
            filter = null;
        }
        if (format != null) {
            avformat.avformat_close_input(format);
            format = null;
        }
    }

    private static Path filePath(String camera, FfmpegSourceOptions options) throws InputException {
        try {
            return options.filePath();
        } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
            throw new InputException("camera " + camera + ": " + e.getMessage());
        }
    }

    private static String failure(int rc, Interrupter interrupter, long silenceNanos) {
        if (rc == avutil.AVERROR_EXIT && interrupter.timedOut()) {
            return "no answer within " + silenceNanos / 1_000_000 + " ms";
        }
        return VideoDecoder.describe(rc);
    }

    private static List<String> unusedOptions(AVDictionary dictionary) {
        List<String> keys = new ArrayList<>();
        AVDictionaryEntry entry = null;
        while ((entry = avutil.av_dict_get(dictionary, "", entry, avutil.AV_DICT_IGNORE_SUFFIX)) != null) {
            keys.add(entry.key().getString());
        }
        return keys;
    }

    private static byte[] bytes(BytePointer pointer, int size) {
        if (pointer == null || pointer.isNull() || size <= 0) {
            return new byte[0];
        }
        byte[] bytes = new byte[size];
        pointer.position(0).get(bytes);
        return bytes;
    }

    private static long frameDuration(AVStream stream) {
        for (AVRational rate : new AVRational[] {stream.avg_frame_rate(), stream.r_frame_rate()}) {
            if (rate.num() > 0 && rate.den() > 0) {
                long ticks = 90_000L * rate.den() / rate.num();
                if (ticks > 0 && ticks <= 90_000) {
                    return ticks;
                }
            }
        }
        return 3600;
    }

    /** FFmpeg's one-time set-up, and lookups that need it. */
    static final class Natives {
        static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(FfmpegSource.class.getName());
        private static boolean networkReady;
        private static boolean devicesRegistered;

        private Natives() {
        }

        static synchronized void init() {
            if (!networkReady) {
                avformat.avformat_network_init();
                networkReady = true;
            }
        }

        /** An input format by name; devices (v4l2, ...) are registered on first need. */
        static synchronized AVInputFormat inputFormat(String name) {
            AVInputFormat format = avformat.av_find_input_format(name);
            if (format == null && !devicesRegistered) {
                avdevice.avdevice_register_all();
                devicesRegistered = true;
                format = avformat.av_find_input_format(name);
            }
            return format;
        }
    }
}

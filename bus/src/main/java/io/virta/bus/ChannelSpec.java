package io.virta.bus;

import io.virta.bus.layout.ReaderSlotDescriptor;

/**
 * What a writer creates: the channel's name, type, nominal frame geometry, ring length and cell size.
 *
 * <pre>
 *   ChannelSpec.rgb24("lobby.rgb", 1920, 1080).cells(8)
 *   ChannelSpec.yuv420p("lobby.yuv", 1920, 1080)
 *   ChannelSpec.of("lobby.h264", ChannelType.ENCODED).capacity(1 &lt;&lt; 20).format(PixelFormat.H264)
 * </pre>
 */
public final class ChannelSpec {
    public static final int DEFAULT_CELLS = 8;

    private final String name;
    private final ChannelType type;
    private int width;
    private int height;
    private PixelFormat format;
    private int cells = DEFAULT_CELLS;
    private long capacity;
    private int readerSlots = ReaderSlotDescriptor.DEFAULT_SLOTS;
    private String group;

    private ChannelSpec(String name, ChannelType type) {
        this.name = ChannelName.validate(name);
        if (type == null) {
            throw new IllegalArgumentException("channel '" + name + "': a channel type is required");
        }
        this.type = type;
        this.format = PixelFormat.defaultFor(type);
    }

    public static ChannelSpec of(String name, ChannelType type) {
        return new ChannelSpec(name, type);
    }

    public static ChannelSpec rgb24(String name, int width, int height) {
        return new ChannelSpec(name, ChannelType.RGB24).size(width, height);
    }

    public static ChannelSpec yuv420p(String name, int width, int height) {
        return new ChannelSpec(name, ChannelType.YUV420P).size(width, height);
    }

    /** Nominal frame size in pixels; it also sets the default cell capacity of RGB24 and YUV420P channels. */
    public ChannelSpec size(int width, int height) {
        if (width <= 0 || height <= 0 || width > 16384 || height > 16384) {
            throw new IllegalArgumentException("channel '" + name + "': frame size " + width + "x" + height
                    + " is out of range: use 1..16384 pixels each way");
        }
        if (type == ChannelType.YUV420P && (width % 2 != 0 || height % 2 != 0)) {
            throw new IllegalArgumentException("channel '" + name + "': YUV420P needs an even width and height, not "
                    + width + "x" + height);
        }
        this.width = width;
        this.height = height;
        return this;
    }

    public ChannelSpec format(PixelFormat format) {
        this.format = format;
        return this;
    }

    /** Cells in the ring: how many frames a reader may fall behind before it overruns. */
    public ChannelSpec cells(int cells) {
        if (cells < 2 || cells > 1 << 16) {
            throw new IllegalArgumentException("channel '" + name + "': " + cells
                    + " cells is out of range: use 2 to 65536");
        }
        this.cells = cells;
        return this;
    }

    /** Largest payload of a cell in bytes. Defaults to one frame of the nominal size for RGB24 and YUV420P. */
    public ChannelSpec capacity(long bytes) {
        if (bytes < 1 || bytes > (1L << 34)) {
            throw new IllegalArgumentException("channel '" + name + "': cell capacity " + bytes
                    + " is out of range: use 1 byte to 16 GiB");
        }
        this.capacity = bytes;
        return this;
    }

    /** How many readers may attach at once. */
    public ChannelSpec readerSlots(int slots) {
        if (slots < 1 || slots > ReaderSlotDescriptor.MAX_SLOTS) {
            throw new IllegalArgumentException("channel '" + name + "': " + slots
                    + " reader slots is out of range: use 1 to " + ReaderSlotDescriptor.MAX_SLOTS);
        }
        this.readerSlots = slots;
        return this;
    }

    /** Shares the channel with a Unix group (mode 0660) instead of keeping it owner-only (0600). */
    public ChannelSpec group(String group) {
        this.group = group;
        return this;
    }

    public String name() {
        return name;
    }

    public ChannelType type() {
        return type;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    public PixelFormat format() {
        return format;
    }

    public int cells() {
        return cells;
    }

    public int readerSlots() {
        return readerSlots;
    }

    public String group() {
        return group;
    }

    /** The cell capacity: the configured one, or one frame of the nominal size. */
    public long capacity() {
        if (capacity > 0) {
            return capacity;
        }
        return switch (type) {
            case RGB24 -> requireSize() * 3L;
            case YUV420P -> requireSize() * 3L / 2;
            default -> throw new IllegalArgumentException("channel '" + name + "': a " + type
                    + " channel needs a cell capacity in bytes (ChannelSpec.capacity)");
        };
    }

    private long requireSize() {
        if (width == 0) {
            throw new IllegalArgumentException("channel '" + name + "': a " + type
                    + " channel needs a frame size (ChannelSpec.size) or a cell capacity");
        }
        return (long) width * height;
    }
}

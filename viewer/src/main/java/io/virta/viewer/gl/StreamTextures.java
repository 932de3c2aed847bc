package io.virta.viewer.gl;

import io.virta.viewer.present.ResolutionClass;

import static org.lwjgl.opengl.GL33C.*;

/**
 * One stream's GPU side: three single-channel plane textures (Y, U, V) of its resolution class, and
 * the pixel buffer objects its presentation queue's slots live in.
 *
 * <p>Each pixel buffer stays mapped while its slot is free or waiting, so the feed thread copies a
 * frame from the bus straight into it. Showing a slot unmaps it, lets the driver copy it into the
 * textures (glTexSubImage2D from the bound unpack buffer), and maps it again, discarding the old
 * contents so the driver need not wait for that copy. The textures and buffers are made once per
 * resolution class; frames of any size within the class are uploaded into the top-left corner and the
 * shader samples only that part.
 */
public final class StreamTextures implements AutoCloseable {
    private static final int MAP_FOR_WRITING = GL_MAP_WRITE_BIT | GL_MAP_INVALIDATE_BUFFER_BIT;

    private final int[] planes = new int[3];
    private int[] buffers = new int[0];
    private ResolutionClass resolutionClass;
    private int frameWidth;
    private int frameHeight;

    /**
     * Makes textures and {@code slots} mapped pixel buffers for {@code target}, dropping any of an
     * earlier class, and returns where each buffer is mapped.
     */
    public long[] allocate(ResolutionClass target, int slots) {
        release();
        glGenTextures(planes);
        for (int p = 0; p < 3; p++) {
            int w = p == 0 ? target.width() : target.chromaWidth();
            int h = p == 0 ? target.height() : target.chromaHeight();
            glBindTexture(GL_TEXTURE_2D, planes[p]);
            glTexImage2D(GL_TEXTURE_2D, 0, GL_R8, w, h, 0, GL_RED, GL_UNSIGNED_BYTE, 0L);
            glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
            glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
            glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
            glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
        }
        glBindTexture(GL_TEXTURE_2D, 0);
        buffers = new int[slots];
        glGenBuffers(buffers);
        long[] addresses = new long[slots];
        for (int s = 0; s < slots; s++) {
            glBindBuffer(GL_PIXEL_UNPACK_BUFFER, buffers[s]);
            glBufferData(GL_PIXEL_UNPACK_BUFFER, target.frameBytes(), GL_STREAM_DRAW);
            addresses[s] = map(target);
        }
        glBindBuffer(GL_PIXEL_UNPACK_BUFFER, 0);
        resolutionClass = target;
        frameWidth = 0;
        frameHeight = 0;
        return addresses;
    }

    private static long map(ResolutionClass target) {
        long address = nglMapBufferRange(GL_PIXEL_UNPACK_BUFFER, 0, target.frameBytes(), MAP_FOR_WRITING);
        if (address == 0) {
            throw new IllegalStateException("the driver could not map a " + target + " pixel buffer (GL error 0x"
                    + Integer.toHexString(glGetError()) + ")");
        }
        return address;
    }

    /**
     * Uploads the packed I420 {@code width} x {@code height} frame in {@code slot}'s buffer into the
     * plane textures and maps the buffer again.
     *
     * @return where the buffer is mapped now
     */
    public long upload(int slot, int width, int height) {
        int chromaWidth = (width + 1) / 2;
        int chromaHeight = (height + 1) / 2;
        glBindBuffer(GL_PIXEL_UNPACK_BUFFER, buffers[slot]);
        glUnmapBuffer(GL_PIXEL_UNPACK_BUFFER);
        glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
        glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
        glBindTexture(GL_TEXTURE_2D, planes[0]);
        glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, width, height, GL_RED, GL_UNSIGNED_BYTE, 0L);
        long lumaBytes = (long) width * height;
        glBindTexture(GL_TEXTURE_2D, planes[1]);
        glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, chromaWidth, chromaHeight, GL_RED, GL_UNSIGNED_BYTE, lumaBytes);
        glBindTexture(GL_TEXTURE_2D, planes[2]);
        glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, chromaWidth, chromaHeight, GL_RED, GL_UNSIGNED_BYTE,
                lumaBytes + (long) chromaWidth * chromaHeight);
        glBindTexture(GL_TEXTURE_2D, 0);
        long address = map(resolutionClass);
        glBindBuffer(GL_PIXEL_UNPACK_BUFFER, 0);
        frameWidth = width;
        frameHeight = height;
        return address;
    }

    /** Binds the plane textures to texture units 0, 1 and 2. */
    public void bind() {
        for (int p = 0; p < 3; p++) {
            glActiveTexture(GL_TEXTURE0 + p);
            glBindTexture(GL_TEXTURE_2D, planes[p]);
        }
        glActiveTexture(GL_TEXTURE0);
    }

    /** True once a frame has been uploaded. */
    public boolean hasFrame() {
        return frameWidth > 0;
    }

    public int frameWidth() {
        return frameWidth;
    }

    public int frameHeight() {
        return frameHeight;
    }

    public ResolutionClass resolutionClass() {
        return resolutionClass;
    }

    private void release() {
        if (resolutionClass == null) {
            return;
        }
        for (int buffer : buffers) {
            glBindBuffer(GL_PIXEL_UNPACK_BUFFER, buffer);
            glUnmapBuffer(GL_PIXEL_UNPACK_BUFFER);
        }
        glBindBuffer(GL_PIXEL_UNPACK_BUFFER, 0);
        glDeleteBuffers(buffers);
        glDeleteTextures(planes);
        resolutionClass = null;
    }

    @Override
    public void close() {
        release();
    }
}

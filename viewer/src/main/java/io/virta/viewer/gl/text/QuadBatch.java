package io.virta.viewer.gl.text;

import io.virta.viewer.gl.ShaderProgram;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

import static org.lwjgl.opengl.GL33C.GL_ARRAY_BUFFER;
import static org.lwjgl.opengl.GL33C.GL_BLEND;
import static org.lwjgl.opengl.GL33C.GL_CLAMP_TO_EDGE;
import static org.lwjgl.opengl.GL33C.GL_ELEMENT_ARRAY_BUFFER;
import static org.lwjgl.opengl.GL33C.GL_FLOAT;
import static org.lwjgl.opengl.GL33C.GL_LINEAR;
import static org.lwjgl.opengl.GL33C.GL_ONE_MINUS_SRC_ALPHA;
import static org.lwjgl.opengl.GL33C.GL_R8;
import static org.lwjgl.opengl.GL33C.GL_RED;
import static org.lwjgl.opengl.GL33C.GL_SRC_ALPHA;
import static org.lwjgl.opengl.GL33C.GL_STATIC_DRAW;
import static org.lwjgl.opengl.GL33C.GL_STREAM_DRAW;
import static org.lwjgl.opengl.GL33C.GL_TEXTURE0;
import static org.lwjgl.opengl.GL33C.GL_TEXTURE_2D;
import static org.lwjgl.opengl.GL33C.GL_TEXTURE_MAG_FILTER;
import static org.lwjgl.opengl.GL33C.GL_TEXTURE_MIN_FILTER;
import static org.lwjgl.opengl.GL33C.GL_TEXTURE_WRAP_S;
import static org.lwjgl.opengl.GL33C.GL_TEXTURE_WRAP_T;
import static org.lwjgl.opengl.GL33C.GL_TRIANGLES;
import static org.lwjgl.opengl.GL33C.GL_UNPACK_ALIGNMENT;
import static org.lwjgl.opengl.GL33C.GL_UNSIGNED_BYTE;
import static org.lwjgl.opengl.GL33C.GL_UNSIGNED_SHORT;
import static org.lwjgl.opengl.GL33C.glActiveTexture;
import static org.lwjgl.opengl.GL33C.glBindBuffer;
import static org.lwjgl.opengl.GL33C.glBindTexture;
import static org.lwjgl.opengl.GL33C.glBindVertexArray;
import static org.lwjgl.opengl.GL33C.glBlendFunc;
import static org.lwjgl.opengl.GL33C.glBufferData;
import static org.lwjgl.opengl.GL33C.glDeleteBuffers;
import static org.lwjgl.opengl.GL33C.glDeleteTextures;
import static org.lwjgl.opengl.GL33C.glDeleteVertexArrays;
import static org.lwjgl.opengl.GL33C.glDisable;
import static org.lwjgl.opengl.GL33C.glDrawElements;
import static org.lwjgl.opengl.GL33C.glEnable;
import static org.lwjgl.opengl.GL33C.glEnableVertexAttribArray;
import static org.lwjgl.opengl.GL33C.glGenBuffers;
import static org.lwjgl.opengl.GL33C.glGenTextures;
import static org.lwjgl.opengl.GL33C.glGenVertexArrays;
import static org.lwjgl.opengl.GL33C.glPixelStorei;
import static org.lwjgl.opengl.GL33C.glTexImage2D;
import static org.lwjgl.opengl.GL33C.glTexParameteri;
import static org.lwjgl.opengl.GL33C.glUniform1i;
import static org.lwjgl.opengl.GL33C.glUniform2f;
import static org.lwjgl.opengl.GL33C.glUseProgram;
import static org.lwjgl.opengl.GL33C.glVertexAttribPointer;
import static org.lwjgl.opengl.GL33C.nglBufferData;
import static org.lwjgl.opengl.GL33C.nglBufferSubData;
import static org.lwjgl.system.MemoryUtil.memAddress;

/**
 * Screen-space quads, each coloured and textured from the {@link TextAtlas}, collected into a
 * pre-allocated vertex buffer and drawn with one call per {@link #flush()}. Positions are framebuffer
 * pixels with the origin at the top-left.
 *
 * <p>GL objects: the program, the atlas texture and the index buffer are shared by all windows (their
 * contexts share objects, and none of the three changes after start-up). Each window gets a vertex
 * array (VAOs are never shared between contexts) and a vertex buffer of its own (so that no buffer is
 * rewritten under another context's pending draw), created the first time the window draws.
 *
 * <p>Vertex layout, {@value #VERTEX_BYTES} bytes: position x, y (2 floats, pixels), texture u, v
 * (2 floats), colour r, g, b, a (4 unsigned bytes, normalized). Four vertices per quad; the index buffer
 * holds two triangles per quad.
 */
final class QuadBatch implements AutoCloseable {
    static final int VERTEX_BYTES = 20;
    private static final int QUAD_BYTES = 4 * VERTEX_BYTES;
    private static final boolean LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
    /** Vertex indices must fit an unsigned short. */
    static final int MAX_QUADS = 65536 / 4;

    private static final String VERTEX_SHADER = """
            #version 330 core
            layout(location = 0) in vec2 position;
            layout(location = 1) in vec2 texCoord;
            layout(location = 2) in vec4 colour;
            uniform vec2 framebufferSize;
            out vec2 atlasCoord;
            out vec4 tint;
            void main() {
                // Pixels with a top-left origin to clip space, whose y points up.
                vec2 ndc = vec2(position.x / framebufferSize.x * 2.0 - 1.0, 1.0 - position.y / framebufferSize.y * 2.0);
                gl_Position = vec4(ndc, 0.0, 1.0);
                atlasCoord = texCoord;
                tint = colour;
            }
            """;
    private static final String FRAGMENT_SHADER = """
            #version 330 core
            in vec2 atlasCoord;
            in vec4 tint;
            uniform sampler2D atlas;
            out vec4 fragColour;
            void main() {
                fragColour = vec4(tint.rgb, tint.a * texture(atlas, atlasCoord).r);
            }
            """;

    private final TextAtlas atlas;
    private final int capacity;
    private final ShaderProgram program;
    private final int framebufferSizeUniform;
    private final int texture;
    private final int indexBuffer;
    private final ByteBuffer vertices;

    private int[] vertexArrays = new int[0];
    private int[] vertexBuffers = new int[0];

    private int window = -1;
    private float framebufferWidth;
    private float framebufferHeight;
    private int quads;

    /** Creates the shared objects; a context of the share group must be current. */
    QuadBatch(TextAtlas atlas, int capacity) {
        if (capacity < 1 || capacity > MAX_QUADS) {
            throw new IllegalArgumentException("quad capacity " + capacity + " is outside 1.." + MAX_QUADS);
        }
        this.atlas = atlas;
        this.capacity = capacity;
        this.vertices = ByteBuffer.allocateDirect(capacity * QUAD_BYTES).order(ByteOrder.nativeOrder());
        this.program = ShaderProgram.build("text and overlay quads", VERTEX_SHADER, FRAGMENT_SHADER);
        this.framebufferSizeUniform = program.uniform("framebufferSize");
        program.use();
        glUniform1i(program.uniform("atlas"), 0);
        glUseProgram(0);

        texture = glGenTextures();
        glBindTexture(GL_TEXTURE_2D, texture);
        glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
        glTexImage2D(GL_TEXTURE_2D, 0, GL_R8, atlas.width(), atlas.height(), 0, GL_RED, GL_UNSIGNED_BYTE,
                atlas.pixelBuffer());
        glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
        glBindTexture(GL_TEXTURE_2D, 0);

        ByteBuffer indices = ByteBuffer.allocateDirect(capacity * 6 * Short.BYTES).order(ByteOrder.nativeOrder());
        for (int q = 0; q < capacity; q++) {
            int v = q * 4;
            indices.putShort((short) v).putShort((short) (v + 1)).putShort((short) (v + 2))
                    .putShort((short) v).putShort((short) (v + 2)).putShort((short) (v + 3));
        }
        indices.flip();
        indexBuffer = glGenBuffers();
        // An element buffer binds through a VAO; the default VAO is not usable in a core profile, so bind via
        // ARRAY_BUFFER to fill it. A buffer's target is not part of the buffer.
        glBindBuffer(GL_ARRAY_BUFFER, indexBuffer);
        glBufferData(GL_ARRAY_BUFFER, indices, GL_STATIC_DRAW);
        glBindBuffer(GL_ARRAY_BUFFER, 0);
    }

    TextAtlas atlas() {
        return atlas;
    }

    /**
     * Starts collecting quads for window {@code windowIndex}, whose context is current, with a framebuffer
     * of the given size. Creates the window's vertex array and buffer the first time.
     */
    void begin(int windowIndex, int framebufferWidth, int framebufferHeight) {
        if (windowIndex < 0) {
            throw new IllegalArgumentException("window index " + windowIndex + " is negative");
        }
        if (window >= 0) {
            throw new IllegalStateException("begin() for window " + windowIndex + " while window " + window
                    + "'s quads are not drawn yet: call end() first");
        }
        if (windowIndex >= vertexArrays.length || vertexArrays[windowIndex] == 0) {
            createWindowObjects(windowIndex);
        }
        this.window = windowIndex;
        this.framebufferWidth = framebufferWidth;
        this.framebufferHeight = framebufferHeight;
        this.quads = 0;
    }

    private void createWindowObjects(int windowIndex) {
        if (windowIndex >= vertexArrays.length) {
            vertexArrays = Arrays.copyOf(vertexArrays, windowIndex + 1);
            vertexBuffers = Arrays.copyOf(vertexBuffers, windowIndex + 1);
        }
        int vao = glGenVertexArrays();
        int vbo = glGenBuffers();
        glBindVertexArray(vao);
        glBindBuffer(GL_ARRAY_BUFFER, vbo);
        nglBufferData(GL_ARRAY_BUFFER, vertices.capacity(), 0L, GL_STREAM_DRAW);
        glVertexAttribPointer(0, 2, GL_FLOAT, false, VERTEX_BYTES, 0);
        glVertexAttribPointer(1, 2, GL_FLOAT, false, VERTEX_BYTES, 8);
        glVertexAttribPointer(2, 4, GL_UNSIGNED_BYTE, true, VERTEX_BYTES, 16);
        glEnableVertexAttribArray(0);
        glEnableVertexAttribArray(1);
        glEnableVertexAttribArray(2);
        glBindBuffer(GL_ELEMENT_ARRAY_BUFFER, indexBuffer);
        glBindVertexArray(0);
        glBindBuffer(GL_ARRAY_BUFFER, 0);
        vertexArrays[windowIndex] = vao;
        vertexBuffers[windowIndex] = vbo;
    }

    /** Adds a quad covering pixels [x0, x1) x [y0, y1), textured from atlas cell {@code cell}. */
    void quad(float x0, float y0, float x1, float y1, int cell, int rgba) {
        if (window < 0) {
            throw new IllegalStateException("quads drawn outside begin()/end()");
        }
        if (quads == capacity) {
            flush();
        }
        float u0 = atlas.u0(cell);
        float v0 = atlas.v0(cell);
        float u1 = atlas.u1(cell);
        float v1 = atlas.v1(cell);
        int at = quads * QUAD_BYTES;
        // Colour bytes in memory order r, g, b, a, whatever the platform's byte order.
        int colour = LITTLE_ENDIAN ? Integer.reverseBytes(rgba) : rgba;
        at = vertex(at, x0, y0, u0, v0, colour);
        at = vertex(at, x1, y0, u1, v0, colour);
        at = vertex(at, x1, y1, u1, v1, colour);
        vertex(at, x0, y1, u0, v1, colour);
        quads++;
    }

    private int vertex(int at, float x, float y, float u, float v, int colour) {
        vertices.putFloat(at, x);
        vertices.putFloat(at + 4, y);
        vertices.putFloat(at + 8, u);
        vertices.putFloat(at + 12, v);
        vertices.putInt(at + 16, colour);
        return at + VERTEX_BYTES;
    }

    /** A solid quad: the atlas's fully covered cell. */
    void solid(float x0, float y0, float x1, float y1, int rgba) {
        quad(x0, y0, x1, y1, TextAtlas.SOLID_CELL, rgba);
    }

    /**
     * Draws the quads collected so far, in the order they were added, blended over what is there
     * (source alpha). Leaves blending off, and this batch's program, vertex array and texture bound.
     */
    void flush() {
        if (quads == 0) {
            return;
        }
        program.use();
        glUniform2f(framebufferSizeUniform, framebufferWidth, framebufferHeight);
        glActiveTexture(GL_TEXTURE0);
        glBindTexture(GL_TEXTURE_2D, texture);
        glBindVertexArray(vertexArrays[window]);
        glBindBuffer(GL_ARRAY_BUFFER, vertexBuffers[window]);
        // Orphan the previous contents, so the driver never waits for an earlier draw still reading them.
        nglBufferData(GL_ARRAY_BUFFER, vertices.capacity(), 0L, GL_STREAM_DRAW);
        nglBufferSubData(GL_ARRAY_BUFFER, 0, (long) quads * QUAD_BYTES, memAddress(vertices, 0));
        glEnable(GL_BLEND);
        glBlendFunc(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA);
        glDrawElements(GL_TRIANGLES, quads * 6, GL_UNSIGNED_SHORT, 0L);
        glDisable(GL_BLEND);
        glBindBuffer(GL_ARRAY_BUFFER, 0);
        quads = 0;
    }

    /** Draws what is left and ends the window's batch. */
    void end() {
        flush();
        window = -1;
    }

    /** Deletes the window's vertex array and buffer; its context must be current. */
    void releaseWindow(int windowIndex) {
        if (windowIndex >= 0 && windowIndex < vertexArrays.length && vertexArrays[windowIndex] != 0) {
            glDeleteVertexArrays(vertexArrays[windowIndex]);
            glDeleteBuffers(vertexBuffers[windowIndex]);
            vertexArrays[windowIndex] = 0;
            vertexBuffers[windowIndex] = 0;
        }
    }

    /**
     * Deletes the shared objects and the windows' vertex buffers (buffers are shared, so any context of
     * the group may be current). Vertex arrays of windows not released go with their contexts.
     */
    @Override
    public void close() {
        for (int i = 0; i < vertexBuffers.length; i++) {
            if (vertexBuffers[i] != 0) {
                glDeleteBuffers(vertexBuffers[i]);
            }
        }
        vertexArrays = new int[0];
        vertexBuffers = new int[0];
        glDeleteBuffers(indexBuffer);
        glDeleteTextures(texture);
        program.close();
    }
}

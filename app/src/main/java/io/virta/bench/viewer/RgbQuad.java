package io.virta.bench.viewer;

import io.virta.viewer.gl.ShaderProgram;

import java.nio.ByteBuffer;

import static org.lwjgl.opengl.GL33C.*;

/**
 * The draw benchmark's peer: one RGB texture of the frame's size drawn over the viewport by a shader
 * that only samples it. What drawing a frame costs without the YUV conversion (three samples, a
 * matrix product) that {@link io.virta.viewer.gl.YuvProgram} does per pixel.
 */
final class RgbQuad implements AutoCloseable {
    private static final String VERTEX = """
            #version 330 core
            const vec2 CORNERS[4] = vec2[](vec2(0, 0), vec2(1, 0), vec2(0, 1), vec2(1, 1));
            out vec2 uv;
            void main() {
                uv = vec2(CORNERS[gl_VertexID].x, 1.0 - CORNERS[gl_VertexID].y);
                gl_Position = vec4(CORNERS[gl_VertexID] * 2.0 - 1.0, 0.0, 1.0);
            }
            """;
    private static final String FRAGMENT = """
            #version 330 core
            in vec2 uv;
            out vec4 color;
            uniform sampler2D picture;
            void main() {
                color = texture(picture, uv);
            }
            """;

    private final ShaderProgram program;
    private final int texture;

    /** A {@code width}x{@code height} RGB8 texture filled with {@code pixels} (packed RGB24). */
    RgbQuad(int width, int height, ByteBuffer pixels) {
        program = ShaderProgram.build("RGB quad", VERTEX, FRAGMENT);
        program.use();
        glUniform1i(program.uniform("picture"), 0);
        glUseProgram(0);
        texture = glGenTextures();
        glBindTexture(GL_TEXTURE_2D, texture);
        glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
        glTexImage2D(GL_TEXTURE_2D, 0, GL_RGB8, width, height, 0, GL_RGB, GL_UNSIGNED_BYTE, pixels);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
        glBindTexture(GL_TEXTURE_2D, 0);
    }

    /** Draws the texture over the whole viewport; a vertex array must be bound. */
    void draw() {
        program.use();
        glActiveTexture(GL_TEXTURE0);
        glBindTexture(GL_TEXTURE_2D, texture);
        glDrawArrays(GL_TRIANGLE_STRIP, 0, 4);
    }

    @Override
    public void close() {
        glDeleteTextures(texture);
        program.close();
    }
}

package io.virta.viewer.gl;

import static org.lwjgl.opengl.GL33C.*;

/**
 * Draws a stream's plane textures into the current viewport, converting YUV to RGB per pixel. The quad
 * comes from gl_VertexID (no vertex buffer); the GPU's bilinear filtering does the scaling.
 */
public final class YuvProgram implements AutoCloseable {
    private static final String VERTEX = """
            #version 330 core
            out vec2 picture;
            void main() {
                vec2 corner = vec2(float(gl_VertexID & 1), float(gl_VertexID >> 1));
                picture = vec2(corner.x, 1.0 - corner.y);   // row 0 of the frame is the top
                gl_Position = vec4(corner * 2.0 - 1.0, 0.0, 1.0);
            }
            """;
    private static final String FRAGMENT = """
            #version 330 core
            in vec2 picture;
            out vec4 color;
            uniform sampler2D planeY;
            uniform sampler2D planeU;
            uniform sampler2D planeV;
            // The frame fills only the top-left part of its class's textures: scale into it, and stop half
            // a texel short of its edge so that filtering never blends in the unused part.
            uniform vec2 lumaScale;
            uniform vec2 lumaLimit;
            uniform vec2 chromaScale;
            uniform vec2 chromaLimit;
            uniform mat3 yuvToRgb;
            uniform vec3 yuvOffset;
            void main() {
                float y = texture(planeY, min(picture * lumaScale, lumaLimit)).r;
                float u = texture(planeU, min(picture * chromaScale, chromaLimit)).r;
                float v = texture(planeV, min(picture * chromaScale, chromaLimit)).r;
                color = vec4(clamp(yuvToRgb * (vec3(y, u, v) - yuvOffset), 0.0, 1.0), 1.0);
            }
            """;

    private final ShaderProgram program;
    private final int lumaScale;
    private final int lumaLimit;
    private final int chromaScale;
    private final int chromaLimit;
    private final int yuvToRgb;
    private final int yuvOffset;

    public YuvProgram() {
        program = ShaderProgram.build("YUV to RGB", VERTEX, FRAGMENT);
        program.use();
        glUniform1i(program.uniform("planeY"), 0);
        glUniform1i(program.uniform("planeU"), 1);
        glUniform1i(program.uniform("planeV"), 2);
        lumaScale = program.uniform("lumaScale");
        lumaLimit = program.uniform("lumaLimit");
        chromaScale = program.uniform("chromaScale");
        chromaLimit = program.uniform("chromaLimit");
        yuvToRgb = program.uniform("yuvToRgb");
        yuvOffset = program.uniform("yuvOffset");
        glUseProgram(0);
    }

    /** Draws {@code textures}' current frame over the whole viewport; a vertex array must be bound. */
    public void draw(StreamTextures textures, ColorConversion conversion) {
        program.use();
        textures.bind();
        int classWidth = textures.resolutionClass().width();
        int classHeight = textures.resolutionClass().height();
        int w = textures.frameWidth();
        int h = textures.frameHeight();
        int cw = (w + 1) / 2;
        int ch = (h + 1) / 2;
        int classChromaWidth = textures.resolutionClass().chromaWidth();
        int classChromaHeight = textures.resolutionClass().chromaHeight();
        glUniform2f(lumaScale, (float) w / classWidth, (float) h / classHeight);
        glUniform2f(lumaLimit, (w - 0.5f) / classWidth, (h - 0.5f) / classHeight);
        glUniform2f(chromaScale, (float) cw / classChromaWidth, (float) ch / classChromaHeight);
        glUniform2f(chromaLimit, (cw - 0.5f) / classChromaWidth, (ch - 0.5f) / classChromaHeight);
        glUniformMatrix3fv(yuvToRgb, true, conversion.matrix());
        glUniform3f(yuvOffset, conversion.offset()[0], conversion.offset()[1], conversion.offset()[2]);
        glDrawArrays(GL_TRIANGLE_STRIP, 0, 4);
    }

    @Override
    public void close() {
        program.close();
    }
}

package io.virta.viewer.gl;

import static org.lwjgl.opengl.GL33C.GL_COMPILE_STATUS;
import static org.lwjgl.opengl.GL33C.GL_FRAGMENT_SHADER;
import static org.lwjgl.opengl.GL33C.GL_LINK_STATUS;
import static org.lwjgl.opengl.GL33C.GL_VERTEX_SHADER;
import static org.lwjgl.opengl.GL33C.glAttachShader;
import static org.lwjgl.opengl.GL33C.glCompileShader;
import static org.lwjgl.opengl.GL33C.glCreateProgram;
import static org.lwjgl.opengl.GL33C.glCreateShader;
import static org.lwjgl.opengl.GL33C.glDeleteProgram;
import static org.lwjgl.opengl.GL33C.glDeleteShader;
import static org.lwjgl.opengl.GL33C.glDetachShader;
import static org.lwjgl.opengl.GL33C.glGetProgramInfoLog;
import static org.lwjgl.opengl.GL33C.glGetProgrami;
import static org.lwjgl.opengl.GL33C.glGetShaderInfoLog;
import static org.lwjgl.opengl.GL33C.glGetShaderi;
import static org.lwjgl.opengl.GL33C.glGetUniformLocation;
import static org.lwjgl.opengl.GL33C.glLinkProgram;
import static org.lwjgl.opengl.GL33C.glShaderSource;
import static org.lwjgl.opengl.GL33C.glUseProgram;

/**
 * A linked GLSL program (a vertex and a fragment shader). Programs are shared between contexts that
 * share objects, so one program serves every window; build it with any of them current.
 *
 * <pre>{@code
 * ShaderProgram program = ShaderProgram.build("yuv", vertexSource, fragmentSource);
 * int size = program.uniform("framebufferSize");   // look up once, at start-up
 * program.use();
 * glUniform2f(size, width, height);
 * }</pre>
 */
public final class ShaderProgram implements AutoCloseable {
    private final String name;
    private final int id;

    private ShaderProgram(String name, int id) {
        this.name = name;
        this.id = id;
    }

    /**
     * Compiles and links a program; {@code name} says which one in errors.
     *
     * @throws ShaderException with the driver's info log when a shader does not compile or the program does not link
     */
    public static ShaderProgram build(String name, String vertexSource, String fragmentSource) {
        int vertex = compile(name, "vertex", GL_VERTEX_SHADER, vertexSource);
        int fragment;
        try {
            fragment = compile(name, "fragment", GL_FRAGMENT_SHADER, fragmentSource);
        } catch (ShaderException e) {
            glDeleteShader(vertex);
            throw e;
        }
        int program = glCreateProgram();
        glAttachShader(program, vertex);
        glAttachShader(program, fragment);
        glLinkProgram(program);
        // The linked program keeps what it needs; the shader objects can go either way.
        glDetachShader(program, vertex);
        glDetachShader(program, fragment);
        glDeleteShader(vertex);
        glDeleteShader(fragment);
        if (glGetProgrami(program, GL_LINK_STATUS) == 0) {
            String log = glGetProgramInfoLog(program).strip();
            glDeleteProgram(program);
            throw new ShaderException("shader program '" + name + "' does not link: " + log);
        }
        return new ShaderProgram(name, program);
    }

    private static int compile(String program, String stage, int type, String source) {
        int shader = glCreateShader(type);
        glShaderSource(shader, source);
        glCompileShader(shader);
        if (glGetShaderi(shader, GL_COMPILE_STATUS) == 0) {
            String log = glGetShaderInfoLog(shader).strip();
            glDeleteShader(shader);
            throw new ShaderException("the " + stage + " shader of program '" + program + "' does not compile: " + log);
        }
        return shader;
    }

    /** Makes this the current program of the current context. */
    public void use() {
        glUseProgram(id);
    }

    /**
     * The location of uniform {@code uniformName}; call once at start-up and keep the number.
     *
     * @throws ShaderException when the program has no such active uniform (misspelt, or optimized away because unused)
     */
    public int uniform(String uniformName) {
        int location = glGetUniformLocation(id, uniformName);
        if (location < 0) {
            throw new ShaderException("shader program '" + name + "' has no active uniform '" + uniformName + "'");
        }
        return location;
    }

    /** The GL program object. */
    public int id() {
        return id;
    }

    public String name() {
        return name;
    }

    /** Deletes the program; call with a context of the share group current. */
    @Override
    public void close() {
        glDeleteProgram(id);
    }

    /** A shader that does not compile or link, or a uniform that is not there: a bug in the viewer's sources. */
    public static final class ShaderException extends RuntimeException {
        public ShaderException(String message) {
            super(message);
        }
    }
}

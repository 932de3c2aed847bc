package io.virta.viewer.gl;

import static org.lwjgl.opengl.GL33C.*;

/** A linked GLSL program; compile and link failures carry the driver's log. */
public final class ShaderProgram implements AutoCloseable {
    private final String name;
    private final int id;

    private ShaderProgram(String name, int id) {
        this.name = name;
        this.id = id;
    }

    public static ShaderProgram build(String name, String vertexSource, String fragmentSource) {
        int vertex = compile(name, GL_VERTEX_SHADER, vertexSource);
        int fragment = compile(name, GL_FRAGMENT_SHADER, fragmentSource);
        int program = glCreateProgram();
        glAttachShader(program, vertex);
        glAttachShader(program, fragment);
        glLinkProgram(program);
        glDeleteShader(vertex);
        glDeleteShader(fragment);
        if (glGetProgrami(program, GL_LINK_STATUS) == GL_FALSE) {
            String log = glGetProgramInfoLog(program);
            glDeleteProgram(program);
            throw new IllegalStateException("the " + name + " shader program does not link: " + log.strip());
        }
        return new ShaderProgram(name, program);
    }

    private static int compile(String name, int type, String source) {
        int shader = glCreateShader(type);
        glShaderSource(shader, source);
        glCompileShader(shader);
        if (glGetShaderi(shader, GL_COMPILE_STATUS) == GL_FALSE) {
            String log = glGetShaderInfoLog(shader);
            glDeleteShader(shader);
            throw new IllegalStateException("the " + name + (type == GL_VERTEX_SHADER ? " vertex" : " fragment")
                    + " shader does not compile: " + log.strip());
        }
        return shader;
    }

    public void use() {
        glUseProgram(id);
    }

    /** The location of uniform {@code uniform}; look it up once, not per frame. */
    public int uniform(String uniform) {
        int location = glGetUniformLocation(id, uniform);
        if (location < 0) {
            throw new IllegalStateException("the " + name + " shader program has no uniform '" + uniform + "'");
        }
        return location;
    }

    public int id() {
        return id;
    }

    @Override
    public void close() {
        glDeleteProgram(id);
    }
}

package io.virta.producer.config;

/** A configuration error; the message names the file, the field and the problem. */
public final class ConfigException extends Exception {
    public ConfigException(String message) {
        super(message);
    }
}

package io.virta.cli;

import io.virta.bus.ChannelReader;
import io.virta.bus.ChannelType;
import io.virta.bus.ColorMatrix;
import io.virta.bus.ColorRange;
import picocli.CommandLine;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Locale;
import java.util.function.Function;

/**
 * How option values become typed values, for every command at once: numbers with messages a user
 * understands ("'many' is not a whole number", not "is not a long"), and Virta's own vocabulary
 * (channel types, colour matrices and ranges, where a reader starts) through the parsers that name the
 * choices. Picocli puts the option's name in front of each message.
 */
final class Converters {
    private Converters() {
    }

    /**
     * Registers every converter on {@code commandLine} and the subcommands it has; moments
     * ({@link Instant}, {@link TimeArgument}) relative to {@code clock}.
     */
    static void registerOn(CommandLine commandLine, Clock clock) {
        ITypeConverter<Long> wholeNumber = text -> parsed(text, Long::valueOf, "a whole number");
        ITypeConverter<Integer> smallWholeNumber = text -> parsed(text, Integer::valueOf, "a whole number");
        ITypeConverter<Double> number = text -> parsed(text, Double::valueOf, "a number");
        commandLine.registerConverter(Long.class, wholeNumber).registerConverter(Long.TYPE, wholeNumber)
                .registerConverter(Integer.class, smallWholeNumber).registerConverter(Integer.TYPE, smallWholeNumber)
                .registerConverter(Double.class, number).registerConverter(Double.TYPE, number)
                .registerConverter(ChannelType.class, naming(ChannelType::parse))
                .registerConverter(ColorMatrix.class, naming(ColorMatrix::parse))
                .registerConverter(ColorRange.class, naming(ColorRange::parse))
                .registerConverter(ChannelReader.Start.class, naming(Converters::start))
                .registerConverter(Instant.class, new TimeArgument(clock));
    }

    /** The channel types, as {@code --type} takes them: for help texts and shell completion. */
    static final class ChannelTypes implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Arrays.stream(ChannelType.values()).map(t -> t.name().toLowerCase(Locale.ROOT)).iterator();
        }
    }

    private static ChannelReader.Start start(String text) {
        for (ChannelReader.Start start : ChannelReader.Start.values()) {
            if (start.name().equalsIgnoreCase(text)) {
                return start;
            }
        }
        throw new IllegalArgumentException("'" + text + "' is not newest, next or oldest");
    }

    private static <T> T parsed(String text, Function<String, T> parse, String what) {
        try {
            return parse.apply(text.strip());
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + text + "' is not " + what);
        }
    }

    /** A parser whose {@link IllegalArgumentException} names the choices, as picocli's conversion error. */
    private static <T> ITypeConverter<T> naming(Function<String, T> parse) {
        return text -> {
            try {
                return parse.apply(text);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        };
    }
}

package io.virta.recorder.retention;

import java.time.Duration;
import java.util.Locale;

/**
 * Ages and sizes as people write them in retention settings (YAML, the command line): ages as a number
 * and a unit ({@code 90s}, {@code 45m}, {@code 12h}, {@code 30d}, {@code 2w}) or plain seconds; sizes
 * as a number and a unit, decimal ({@code 500GB}, {@code 2TB}: powers of 1000, as disks are sold) or
 * binary ({@code 512MiB}, {@code 2TiB}), or plain bytes.
 */
public final class Amounts {
    private static final double MAX_AGE_SECONDS = 100 * 365.0 * 86_400;

    private Amounts() {
    }

    /** @throws IllegalArgumentException saying how to write an age */
    public static Duration age(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        long unit = switch (t.isEmpty() ? ' ' : t.charAt(t.length() - 1)) {
            case 's' -> 1;
            case 'm' -> 60;
            case 'h' -> 3600;
            case 'd' -> 86_400;
            case 'w' -> 7 * 86_400;
            default -> 0;
        };
        String number = unit == 0 ? t : t.substring(0, t.length() - 1).strip();
        double value;
        try {
            value = Double.parseDouble(number);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not an age; write a number and a unit: 90s, 45m,"
                    + " 12h, 30d or 2w");
        }
        double seconds = value * Math.max(1, unit);
        if (!(seconds >= 0) || seconds > MAX_AGE_SECONDS) {
            throw new IllegalArgumentException("'" + text + "' is out of range: give an age from 0 up to 100 years");
        }
        return Duration.ofMillis(Math.round(seconds * 1000));
    }

    /** @throws IllegalArgumentException saying how to write a size */
    public static long bytes(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT).replace(" ", "");
        long unit = 1;
        for (String[] suffix : new String[][] {{"tib", "1099511627776"}, {"gib", "1073741824"}, {"mib", "1048576"},
                {"kib", "1024"}, {"tb", "1000000000000"}, {"gb", "1000000000"}, {"mb", "1000000"}, {"kb", "1000"},
                {"b", "1"}}) {
            if (t.endsWith(suffix[0])) {
                unit = Long.parseLong(suffix[1]);
                t = t.substring(0, t.length() - suffix[0].length());
                break;
            }
        }
        try {
            double value = Double.parseDouble(t);
            if (!(value >= 0) || value * unit >= Long.MAX_VALUE / 2.0) {
                throw new NumberFormatException();
            }
            return Math.round(value * unit);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a size; write bytes or a number and a unit:"
                    + " 500GB, 2TB, 512MiB, 2TiB");
        }
    }
}

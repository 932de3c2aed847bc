package io.virta.testkit;

import java.util.Random;

/**
 * Inputs for fuzz tests of small text parsers (a header value, a time on a command line): a seed text
 * with a few random edits, or printable ASCII at random. Deterministic for a given {@link Random};
 * stateless.
 *
 * <pre>{@code
 * String input = round % 4 == 3 ? FuzzText.printable(random, 30) : FuzzText.mutate(seed, "0123456789-=, ", random);
 * }</pre>
 */
public final class FuzzText {
    private FuzzText() {
    }

    /**
     * {@code seed} with one to three edits: a character of {@code alphabet} inserted, a character
     * deleted, or a random number inserted (to reach digits too long for an int or a long).
     */
    public static String mutate(String seed, String alphabet, Random random) {
        StringBuilder text = new StringBuilder(seed);
        for (int edits = 1 + random.nextInt(3); edits > 0; edits--) {
            int at = random.nextInt(text.length() + 1);
            switch (random.nextInt(3)) {
                case 0 -> text.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
                case 1 -> {
                    if (at < text.length()) {
                        text.deleteCharAt(at);
                    }
                }
                default -> text.insert(at, random.nextLong());
            }
        }
        return text.toString();
    }

    /** Up to {@code maxLength - 1} printable ASCII characters (space to {@code ~}). */
    public static String printable(Random random, int maxLength) {
        char[] text = new char[random.nextInt(maxLength)];
        for (int i = 0; i < text.length; i++) {
            text[i] = (char) (0x20 + random.nextInt(0x5f));
        }
        return new String(text);
    }
}

package io.virta.producer.config;

/**
 * How far apart two words are, for the "did you mean ...?" of an error message: a misspelt URL scheme
 * in a configuration, a misspelt option on the command line. A swap of two neighbouring letters counts
 * as one edit, so {@code "rtps"} is one from {@code "rtsp"} and {@code "--cuont"} one from
 * {@code "--count"}.
 *
 * <p>Stateless and thread-safe; each call allocates a table of (|a|+1)·(|b|+1) ints, which is fine on
 * the error paths it serves and nowhere else.
 *
 * <pre>{@code
 * EditDistance.between("rtps", "rtsp");   // 1
 * }</pre>
 */
public final class EditDistance {
    private EditDistance() {
    }

    /** The edits (insertions, deletions, substitutions, swaps of neighbours) that turn {@code a} into {@code b}. */
    public static int between(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}

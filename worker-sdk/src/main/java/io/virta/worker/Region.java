package io.virta.worker;

/**
 * A rectangle of the picture in normalized coordinates: (0, 0) is the top-left corner and (1, 1) the
 * bottom-right one, whatever the picture's size. Used for {@code --ignore} areas.
 */
public record Region(double x, double y, double width, double height) {
    public Region {
        check("x", x, true);
        check("y", y, true);
        check("width", width, false);
        check("height", height, false);
        if (x + width > 1 + 1e-9 || y + height > 1 + 1e-9) {
            throw new IllegalArgumentException("region " + x + "," + y + "," + width + "," + height
                    + " reaches past the picture (x + width and y + height must stay within 1)");
        }
    }

    private static void check(String field, double v, boolean zeroAllowed) {
        if (!Double.isFinite(v) || v < 0 || v > 1 || (!zeroAllowed && v == 0)) {
            throw new IllegalArgumentException("region " + field + ": " + v + " is outside "
                    + (zeroAllowed ? "[0, 1]" : "(0, 1]") + " (coordinates are fractions of the picture)");
        }
    }

    /** Parses {@code x,y,w,h}; {@code option} names the setting in errors, e.g. "--ignore". */
    public static Region parse(String text, String option) {
        String[] parts = text.split(",");
        if (parts.length != 4) {
            throw new IllegalArgumentException(option + " '" + text + "': expected x,y,w,h as fractions of the"
                    + " picture, e.g. 0.75,0,0.25,0.1 for a clock in the top-right corner");
        }
        double[] v = new double[4];
        for (int i = 0; i < 4; i++) {
            try {
                v[i] = Double.parseDouble(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(option + " '" + text + "': '" + parts[i] + "' is not a number");
            }
        }
        try {
            return new Region(v[0], v[1], v[2], v[3]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + " '" + text + "': " + e.getMessage());
        }
    }

    /** Pixel bounds {x0, y0, x1, y1} (x1, y1 exclusive) in a picture of {@code w} x {@code h}, covering the region. */
    public int[] pixels(int w, int h) {
        int x0 = (int) Math.floor(x * w);
        int y0 = (int) Math.floor(y * h);
        int x1 = (int) Math.min(w, Math.ceil((x + width) * w));
        int y1 = (int) Math.min(h, Math.ceil((y + height) * h));
        return new int[] {x0, y0, Math.max(x1, x0 + 1), Math.max(y1, y0 + 1)};
    }

    @Override
    public String toString() {
        return x + "," + y + "," + width + "," + height;
    }
}

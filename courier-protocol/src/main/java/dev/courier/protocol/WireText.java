package dev.courier.protocol;

/**
 * Strings that came from a peer (names, record ids, error messages), made safe to print on a terminal or write to a
 * log. A peer chooses every byte of them: unescaped, an ESC starts a terminal control sequence, a newline forges a
 * log line, a bidirectional override makes text read differently from what it is, and a 65,535-byte name fills a
 * log. Stateless and thread-safe.
 */
public final class WireText {
    /** What {@link #printable(String)} keeps of a string, in chars, before it cuts the rest off. */
    public static final int DEFAULT_MAX_CHARS = 256;

    private WireText() {
    }

    /** {@link #printable(String, int)} with {@link #DEFAULT_MAX_CHARS}. */
    public static String printable(String s) {
        return printable(s, DEFAULT_MAX_CHARS);
    }

    /**
     * {@code s} with every control character escaped and at most {@code maxChars} of it kept. Escapes are C-style:
     * {@code \n}, {@code \r}, {@code \t}, {@code \\} for a backslash, {@code \xHH} for other C0 controls and DEL,
     * a backslash, {@code u} and four hex digits for C1 controls, bidirectional formatting characters and unpaired surrogates. Printable
     * text, including non-ASCII letters, is left as it is. A string cut short ends with {@code ...(N more chars)}.
     *
     * @param maxChars how many chars of {@code s} to keep, at least 1
     */
    public static String printable(String s, int maxChars) {
        if (s == null) {
            return "null";
        }
        int keep = Math.min(s.length(), Math.max(1, maxChars));
        StringBuilder out = null;
        for (int i = 0; i < keep; i++) {
            char c = s.charAt(i);
            String escape = escape(s, i, c);
            if (escape != null && out == null) {
                out = new StringBuilder(keep + 16).append(s, 0, i);
            }
            if (out != null) {
                if (escape != null) {
                    out.append(escape);
                } else {
                    out.append(c);
                }
            }
        }
        if (out == null && keep == s.length()) {
            return s;
        }
        if (out == null) {
            out = new StringBuilder(keep + 24).append(s, 0, keep);
        }
        if (keep < s.length()) {
            out.append("...(").append(s.length() - keep).append(" more chars)");
        }
        return out.toString();
    }

    private static String escape(String s, int i, char c) {
        switch (c) {
            case '\n':
                return "\\n";
            case '\r':
                return "\\r";
            case '\t':
                return "\\t";
            case '\\':
                return "\\\\";
            default:
                break;
        }
        if (c < 0x20 || c == 0x7F) {
            return String.format("\\x%02x", (int) c);
        }
        if ((c >= 0x80 && c < 0xA0) || isBidiControl(c) || isUnpairedSurrogate(s, i, c)) {
            return String.format("\\u%04x", (int) c);
        }
        return null;
    }

    /** Marks and embeddings that reorder how text is displayed ("Trojan Source"). */
    private static boolean isBidiControl(char c) {
        return c == 0x061C || c == 0x200E || c == 0x200F || (c >= 0x202A && c <= 0x202E)
                || (c >= 0x2066 && c <= 0x2069);
    }

    private static boolean isUnpairedSurrogate(String s, int i, char c) {
        if (Character.isHighSurrogate(c)) {
            return i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1));
        }
        if (Character.isLowSurrogate(c)) {
            return i == 0 || !Character.isHighSurrogate(s.charAt(i - 1));
        }
        return false;
    }
}

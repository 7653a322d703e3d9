package dev.courier.server.points;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small strict JSON reader (RFC 8259) for the metadata sidecars of recordings: objects become {@code Map}s,
 * arrays {@code List}s, strings {@code String}s, numbers {@code Double}s, and true, false and null themselves. A
 * sidecar is a few hundred bytes written by a person, so this favours clear errors over speed; nesting is bounded so
 * that no file can exhaust the stack. Stateless between calls.
 */
final class JsonValue {
    /** Deeper nesting than any metadata needs is refused. */
    private static final int MAX_DEPTH = 32;

    private final String text;
    private int at;

    private JsonValue(String text) {
        this.text = text;
    }

    /** Thrown for text that is not one JSON value; the message says where and why. */
    static final class MalformedJsonException extends Exception {
        MalformedJsonException(String message) {
            super(message, null, false, false);
        }
    }

    /** The one value {@code text} holds. */
    static Object parse(String text) throws MalformedJsonException {
        JsonValue p = new JsonValue(text);
        Object v = p.value(0);
        p.skipSpace();
        if (p.at != text.length()) {
            throw p.bad("text after the value");
        }
        return v;
    }

    private Object value(int depth) throws MalformedJsonException {
        if (depth > MAX_DEPTH) {
            throw bad("nested deeper than " + MAX_DEPTH);
        }
        skipSpace();
        if (at >= text.length()) {
            throw bad("a value is missing");
        }
        char c = text.charAt(at);
        return switch (c) {
            case '{' -> object(depth);
            case '[' -> array(depth);
            case '"' -> string();
            case 't' -> word("true", Boolean.TRUE);
            case 'f' -> word("false", Boolean.FALSE);
            case 'n' -> word("null", null);
            default -> number();
        };
    }

    private Map<String, Object> object(int depth) throws MalformedJsonException {
        Map<String, Object> map = new LinkedHashMap<>();
        at++;
        skipSpace();
        if (peek('}')) {
            at++;
            return map;
        }
        while (true) {
            skipSpace();
            if (!peek('"')) {
                throw bad("a key must be a string");
            }
            String key = string();
            skipSpace();
            expect(':');
            if (map.put(key, value(depth + 1)) != null) {
                throw bad("key \"" + key + "\" appears twice");
            }
            skipSpace();
            if (peek(',')) {
                at++;
            } else {
                expect('}');
                return map;
            }
        }
    }

    private List<Object> array(int depth) throws MalformedJsonException {
        List<Object> list = new ArrayList<>();
        at++;
        skipSpace();
        if (peek(']')) {
            at++;
            return list;
        }
        while (true) {
            list.add(value(depth + 1));
            skipSpace();
            if (peek(',')) {
                at++;
            } else {
                expect(']');
                return list;
            }
        }
    }

    private String string() throws MalformedJsonException {
        at++;
        StringBuilder b = new StringBuilder();
        while (at < text.length()) {
            char c = text.charAt(at++);
            if (c == '"') {
                return b.toString();
            }
            if (c < 0x20) {
                throw bad("a control character in a string");
            }
            if (c != '\\') {
                b.append(c);
                continue;
            }
            if (at >= text.length()) {
                break;
            }
            char e = text.charAt(at++);
            switch (e) {
                case '"', '\\', '/' -> b.append(e);
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                case 'u' -> {
                    if (at + 4 > text.length()) {
                        throw bad("a \\u escape needs four hex digits");
                    }
                    try {
                        b.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
                    } catch (NumberFormatException x) {
                        throw bad("a \\u escape needs four hex digits");
                    }
                    at += 4;
                }
                default -> throw bad("unknown escape \\" + e);
            }
        }
        throw bad("a string is not closed");
    }

    private Object word(String word, Object value) throws MalformedJsonException {
        if (!text.startsWith(word, at)) {
            throw bad("unexpected text");
        }
        at += word.length();
        return value;
    }

    private Double number() throws MalformedJsonException {
        int start = at;
        while (at < text.length() && "+-0123456789.eE".indexOf(text.charAt(at)) >= 0) {
            at++;
        }
        String s = text.substring(start, at);
        if (!s.matches("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?")) {
            at = start;
            throw bad("not a value");
        }
        return Double.parseDouble(s);
    }

    private void skipSpace() {
        while (at < text.length() && " \t\r\n".indexOf(text.charAt(at)) >= 0) {
            at++;
        }
    }

    private boolean peek(char c) {
        return at < text.length() && text.charAt(at) == c;
    }

    private void expect(char c) throws MalformedJsonException {
        if (!peek(c)) {
            throw bad("expected '" + c + "'");
        }
        at++;
    }

    private MalformedJsonException bad(String why) {
        return new MalformedJsonException("at character " + (at + 1) + ": " + why);
    }
}

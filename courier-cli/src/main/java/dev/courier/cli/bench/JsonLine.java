package dev.courier.cli.bench;

import dev.courier.cli.common.Json;
import java.util.Locale;

/** Builds one flat JSON object on one line: numbers, strings and booleans, in insertion order. */
final class JsonLine {
    private final StringBuilder b = new StringBuilder("{");

    JsonLine put(String name, long value) {
        return field(name).raw(Long.toString(value));
    }

    /** A double with {@code decimals} digits after the point; non-finite values become null. */
    JsonLine put(String name, double value, int decimals) {
        return field(name).raw(Double.isFinite(value) ? String.format(Locale.ROOT, "%." + decimals + "f", value)
                : "null");
    }

    JsonLine put(String name, String value) {
        return field(name).raw(value == null ? "null" : Json.quote(value));
    }

    JsonLine put(String name, boolean value) {
        return field(name).raw(Boolean.toString(value));
    }

    private JsonLine field(String name) {
        if (b.length() > 1) {
            b.append(", ");
        }
        b.append(Json.quote(name)).append(": ");
        return this;
    }

    private JsonLine raw(String s) {
        b.append(s);
        return this;
    }

    @Override
    public String toString() {
        return b + "}";
    }
}

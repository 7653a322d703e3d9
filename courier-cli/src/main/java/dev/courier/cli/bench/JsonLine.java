package dev.courier.cli.bench;

import dev.courier.cli.common.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Builds one flat JSON object on one line: numbers, strings and booleans, in insertion order, written by
 * {@link Json} (Jackson) when printed.
 */
final class JsonLine {
    /** A field and how to write its value. */
    private record Field(String name, Json.Body value) {
    }

    private final List<Field> fields = new ArrayList<>();

    JsonLine put(String name, long value) {
        return add(name, g -> g.writeNumber(value));
    }

    /** A double with {@code decimals} digits after the point; non-finite values become null. */
    JsonLine put(String name, double value, int decimals) {
        return add(name, Double.isFinite(value)
                ? g -> g.writeNumber(String.format(Locale.ROOT, "%." + decimals + "f", value))
                : g -> g.writeNull());
    }

    JsonLine put(String name, String value) {
        return add(name, value == null ? g -> g.writeNull() : g -> g.writeString(value));
    }

    JsonLine put(String name, boolean value) {
        return add(name, g -> g.writeBoolean(value));
    }

    private JsonLine add(String name, Json.Body value) {
        fields.add(new Field(name, value));
        return this;
    }

    @Override
    public String toString() {
        return Json.write(g -> {
            g.writeStartObject();
            for (Field f : fields) {
                g.writeFieldName(f.name());
                f.value().write(g);
            }
            g.writeEndObject();
        });
    }
}

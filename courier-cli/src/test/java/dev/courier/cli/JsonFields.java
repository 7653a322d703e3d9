package dev.courier.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads the flat JSON objects the commands print, one per line, with a real parser: field name to value. */
final class JsonFields {
    private static final JsonFactory FACTORY = new JsonFactory();

    private JsonFields() {
    }

    /** Every line of {@code text} as an object of scalars (strings, numbers as Double or Long, booleans, null). */
    static List<Map<String, Object>> lines(String text) {
        List<Map<String, Object>> all = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (!line.isBlank()) {
                all.add(object(line));
            }
        }
        return all;
    }

    static Map<String, Object> object(String json) {
        Map<String, Object> fields = new LinkedHashMap<>();
        try (JsonParser p = FACTORY.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("not an object: " + json);
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                fields.put(name, switch (t) {
                    case VALUE_STRING -> p.getText();
                    case VALUE_NUMBER_INT -> p.getLongValue();
                    case VALUE_NUMBER_FLOAT -> p.getDoubleValue();
                    case VALUE_TRUE, VALUE_FALSE -> p.getBooleanValue();
                    case VALUE_NULL -> null;
                    default -> {
                        p.skipChildren();
                        yield "(nested)";
                    }
                });
            }
            if (p.nextToken() != null) {
                throw new IllegalArgumentException("more after the object: " + json);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return fields;
    }
}

package dev.courier.cli.common;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.util.MinimalPrettyPrinter;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.Set;

/**
 * The JSON the CLI prints, written by Jackson's streaming {@link JsonGenerator} (escaping of every string, names
 * from the server included, is the library's), on one line with a space after each {@code :} and {@code ,} as the
 * commands have always printed it: {@code {"name": "7.csv", "bytes": 1024}}.
 *
 * <p>{@link #streaming} gives a generator onto a writer for output too long to hold (a range's rows): the elements of
 * the arrays it names go one per line, and top-level values follow each other with nothing between (NDJSON writes its
 * own line breaks).
 *
 * <p>Thread-safe: the factory is shared, each call has its own generator.
 */
public final class Json {
    private static final JsonFactory FACTORY = JsonFactory.builder().build();

    private Json() {
    }

    /** What writes one JSON value to a generator. */
    @FunctionalInterface
    public interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    /** The JSON value {@code body} writes, as one line without a line break. */
    public static String write(Body body) {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = FACTORY.createGenerator(w)) {
            g.setPrettyPrinter(new OneLine());
            body.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return w.toString();
    }

    /**
     * A generator writing to {@code out}, which it flushes but never closes (it may be standard output), in the form
     * of {@link #write}, except that each element of an array held by a field named in {@code lineArrays} starts on
     * a line of its own, and nothing is written between top-level values.
     */
    public static JsonGenerator streaming(Writer out, Set<String> lineArrays) {
        try {
            JsonGenerator g = FACTORY.createGenerator(out);
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            g.setPrettyPrinter(new Lines(lineArrays));
            return g;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code s} as a JSON string literal, quotes included. */
    public static String quote(String s) {
        return write(g -> g.writeString(s));
    }

    /** One line, {@code ": "} and {@code ", "} between the parts. */
    private static class OneLine extends MinimalPrettyPrinter {
        OneLine() {
        }

        OneLine(String rootValueSeparator) {
            super(rootValueSeparator);
        }

        @Override
        public void writeObjectFieldValueSeparator(JsonGenerator g) throws IOException {
            g.writeRaw(": ");
        }

        @Override
        public void writeObjectEntrySeparator(JsonGenerator g) throws IOException {
            g.writeRaw(", ");
        }

        @Override
        public void writeArrayValueSeparator(JsonGenerator g) throws IOException {
            g.writeRaw(", ");
        }
    }

    /**
     * As {@link OneLine}, with a line break before each element of the arrays held by the fields named
     * {@code lineArrays} ({@code "rows": [\n[...],\n[...]]}), and nothing between top-level values.
     */
    private static final class Lines extends OneLine {
        private final Set<String> lineArrays;

        Lines(Set<String> lineArrays) {
            super("");
            this.lineArrays = lineArrays;
        }

        private boolean broken(JsonGenerator g) {
            JsonStreamContext array = g.getOutputContext();
            JsonStreamContext holder = array.getParent();
            return holder != null && holder.inObject() && lineArrays.contains(holder.getCurrentName());
        }

        @Override
        public void beforeArrayValues(JsonGenerator g) throws IOException {
            if (broken(g)) {
                g.writeRaw('\n');
            }
        }

        @Override
        public void writeArrayValueSeparator(JsonGenerator g) throws IOException {
            g.writeRaw(broken(g) ? ",\n" : ", ");
        }
    }
}

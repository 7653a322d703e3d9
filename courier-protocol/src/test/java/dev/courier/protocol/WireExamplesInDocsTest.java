package dev.courier.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Keeps {@code docs/protocol.md} and {@link WireExamples} in step. Every example is quoted in the doc, and every
 * frame written out in the doc is one of the examples, which {@link MessageLayoutTest} checks against the
 * codec.
 */
class WireExamplesInDocsTest {
    /** Tests run in the module's directory; the doc is at the top of the project. */
    private static final Path PROTOCOL_DOC = Path.of("..", "docs", "protocol.md");
    /** A whole frame as the doc writes it: length, type, flags, request id, then any payload fields. */
    private static final Pattern FRAME = Pattern.compile("\\b[0-9a-f]{8} [0-9a-f]{2} [0-9a-f]{2} [0-9a-f]{8}(?: [0-9a-f]+)*");

    static Stream<String> exampleNames() {
        return Arrays.stream(WireExamples.class.getDeclaredFields())
                .filter(f -> f.getType() == String.class && Modifier.isStatic(f.getModifiers()))
                .map(Field::getName);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("exampleNames")
    void everyExampleIsQuotedInTheProtocolDoc(String name) throws Exception {
        String hex = (String) WireExamples.class.getDeclaredField(name).get(null);

        assertThat(doc()).as("docs/protocol.md quotes %s", name).contains(hex);
    }

    @Test
    void everyFrameInTheProtocolDocIsATestedExample() throws Exception {
        List<String> examples = exampleNames().map(WireExamplesInDocsTest::example).toList();
        Matcher frames = FRAME.matcher(doc());
        int found = 0;
        while (frames.find()) {
            found++;
            assertThat(examples).as("frame in docs/protocol.md").contains(frames.group());
        }
        assertThat(found).as("frames found in the doc").isGreaterThanOrEqualTo(examples.size());
    }

    private static String doc() throws IOException {
        return Files.readString(PROTOCOL_DOC);
    }

    private static String example(String name) {
        try {
            return (String) WireExamples.class.getDeclaredField(name).get(null);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }
}

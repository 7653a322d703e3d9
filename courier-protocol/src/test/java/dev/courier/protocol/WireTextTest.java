package dev.courier.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WireTextTest {
    @Test
    void plainTextIsLeftAlone() {
        String s = "sub/ECG_1.csv and Zürich, 東京";
        assertThat(WireText.printable(s)).isSameAs(s);
    }

    @Test
    void terminalControlsAndLineBreaksAreEscaped() {
        assertThat(WireText.printable("a\u001b[2Jb\nc\rd\te\\f\u007f\u0000"))
                .isEqualTo("a\\x1b[2Jb\\nc\\rd\\te\\\\f\\x7f\\x00");
    }

    @Test
    void c1ControlsBidiOverridesAndLoneSurrogatesAreEscaped() {
        assertThat(WireText.printable("x\u009by\u202Ez\uD800w")).isEqualTo("x\\u009by\\u202ez\\ud800w");
        String pair = "\uD83D\uDE00"; // one emoji, a valid surrogate pair
        assertThat(WireText.printable(pair)).isEqualTo(pair);
    }

    @Test
    void longStringsAreCutWithTheCountOfWhatIsLeft() {
        String s = "n".repeat(65_000);
        assertThat(WireText.printable(s, 10)).isEqualTo("nnnnnnnnnn...(64990 more chars)");
        assertThat(WireText.printable("\n".repeat(5), 2)).isEqualTo("\\n\\n...(3 more chars)");
    }
}

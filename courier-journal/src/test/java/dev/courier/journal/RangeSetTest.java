package dev.courier.journal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.protocol.ByteRange;
import org.junit.jupiter.api.Test;

/** What a server asks of the ranges an upload holds before it lets a write in. */
class RangeSetTest {
    private static RangeSet of(long... startAndLength) {
        RangeSet s = new RangeSet();
        for (int i = 0; i < startAndLength.length; i += 2) {
            s.add(startAndLength[i], startAndLength[i + 1]);
        }
        return s;
    }

    @Test
    void adjoiningAndOverlappingRangesMergeIntoOne() {
        RangeSet s = of(0, 10, 10, 5, 30, 10, 12, 20);
        assertThat(s.ranges()).containsExactly(new ByteRange(0, 40));
        assertThat(s.count()).isEqualTo(1);
        assertThat(s.totalBytes()).isEqualTo(40);
    }

    @Test
    void containsOnlyWhatIsCoveredWholly() {
        RangeSet s = of(10, 10, 30, 10);
        assertThat(s.contains(10, 10)).isTrue();
        assertThat(s.contains(12, 3)).isTrue();
        assertThat(s.contains(15, 10)).as("runs into the gap").isFalse();
        assertThat(s.contains(5, 10)).isFalse();
        assertThat(s.contains(20, 10)).as("the gap itself").isFalse();
        assertThat(s.contains(25, 0)).as("nothing is always held").isTrue();
    }

    @Test
    void touchesWhenAddingWouldNotMakeOneRangeMore() {
        RangeSet s = of(10, 10, 30, 10);
        assertThat(s.touches(0, 10)).as("ends where one starts").isTrue();
        assertThat(s.touches(20, 10)).as("fills the gap").isTrue();
        assertThat(s.touches(22, 3)).as("inside the gap").isFalse();
        assertThat(s.touches(0, 9)).as("ends before one starts").isFalse();
        assertThat(s.touches(41, 5)).as("starts after the last ends").isFalse();
        assertThat(s.touches(40, 5)).as("starts where the last ends").isTrue();
        assertThat(s.touches(0, 100)).as("covers them all").isTrue();
        assertThat(new RangeSet().touches(0, 10)).isFalse();
    }

    @Test
    void countIsTheNumberOfSeparateRanges() {
        RangeSet s = of(0, 1, 2, 1, 4, 1);
        assertThat(s.count()).isEqualTo(3);
        s.add(1, 1);
        assertThat(s.count()).isEqualTo(2);
    }
}

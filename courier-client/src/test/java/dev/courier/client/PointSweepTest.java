package dev.courier.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.courier.server.CourierServer;
import dev.courier.server.testing.CsvTruth;
import dev.courier.server.testing.TestServers;
import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

/** The old system's workload: all 15 records x 15000 samples, binned, checked against the files. */
class PointSweepTest {
    @Test
    void histogramsOfEveryRecordMatchCountsComputedFromTheFiles() throws Exception {
        CsvTruth truth = CsvTruth.load();
        try (CourierServer server = TestServers.start();
             CourierClient client = new CourierClient(ClientConfig.of("127.0.0.1", server.localAddress().getPort()))) {
            for (int channel = 1; channel <= 2; channel++) {
                PointSweep sweep = new PointSweep(truth.records(), 15_000, 0.004, channel, 100, 32);
                PointSweep.Result result = sweep.run(client);
                assertThat(result.requests()).isEqualTo(15L * 15_000);
                assertThat(result.histograms().keySet()).containsExactlyElementsOf(truth.records());
                for (String record : truth.records()) {
                    assertThat(result.histograms().get(record).counts())
                            .as("record %s channel %d", record, channel)
                            .containsExactly(truth.histogram(record, 15_000, channel));
                }
            }
        }
    }

    @Test
    void edgeValuesFallInTheBinThatStartsAtThem() {
        // Each edge as the data spells it, and its neighbours one ulp away, against exact decimal arithmetic.
        for (String edge : new String[] {"-2.0", "-1.6", "-1.2", "-0.8", "-0.4", "0", "0.4", "0.8", "1.2", "1.6", "2"}) {
            double v = Double.parseDouble(edge);
            assertThat(BinEdges.DEFAULT.binOf(v)).as(edge).isEqualTo(CsvTruth.exactBin(edge));
            assertThat(BinEdges.DEFAULT.binOf(Math.nextDown(v)))
                    .isEqualTo(CsvTruth.exactBin(new BigDecimal(Math.nextDown(v)).toString()));
        }
        assertThat(BinEdges.DEFAULT.binOf(-7.825)).isZero();
        assertThat(BinEdges.DEFAULT.binOf(7.27)).isEqualTo(9);
        // The old client's bug: dividing puts 0.4 in bin 5 instead of bin 6, the bin that starts at 0.4.
        assertThat((int) ((0.4 + 2) / 0.4)).isEqualTo(5);
        assertThat(BinEdges.DEFAULT.binOf(0.4)).isEqualTo(6);
    }

    @Test
    void uniformEdgesAreTheDoublesOfTheirDecimalSpellingAndBadBinsAreRefused() {
        // -1 + i x 0.35 in doubles drifts off the decimals (-1 + 3 x 0.35 = 0.04999999999999982); the edges do not.
        String[] decimal = {"-1", "-0.65", "-0.3", "0.05", "0.4", "0.75", "1.1", "1.45", "1.8"};
        BinEdges edges = BinEdges.uniform(8, -1, 1.8);
        assertThat(edges.bins()).isEqualTo(8);
        for (int i = 0; i < decimal.length; i++) {
            assertThat(edges.edge(i)).as(decimal[i]).isEqualTo(Double.parseDouble(decimal[i]));
            assertThat(edges.binOf(Double.parseDouble(decimal[i]))).isEqualTo(Math.min(i, 7));
        }
        assertThat(-1 + 3 * 0.35).isNotEqualTo(0.05);
        assertThat(edges.binOf(-100)).isZero();
        assertThat(edges.binOf(100)).isEqualTo(7);
        assertThat(BinEdges.uniform(1, 0, 1).binOf(0.5)).isZero();
        assertThatThrownBy(() -> BinEdges.uniform(0, -1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BinEdges.uniform(BinEdges.MAX_BINS + 1, -1, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BinEdges.uniform(4, 1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BinEdges.uniform(4, Double.NaN, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}

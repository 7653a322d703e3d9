package dev.courier.cli.bench;

import dev.courier.cli.common.Units;
import dev.courier.load.EcgDataSet;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code courier gen-data}: a synthetic ECG-like data set in the bundled CSV format, for load and start-up tests.
 * The writing is {@link EcgDataSet}'s.
 */
@Command(name = "gen-data", mixinStandardHelpOptions = true,
        description = {"Write a synthetic ECG-like data set: files 1.csv to N.csv of time,ecg1,ecg2 rows, values "
                + "multiples of 0.005 mV in shortest decimal form, the same bytes for the same seed.",
                "Serve it with: courier serve --data DIR"})
public final class GenDataCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--records", paramLabel = "N", required = true, description = "Records (files) to write.")
    int records;

    @Option(names = "--seconds", paramLabel = "S", required = true, converter = Units.Seconds.class,
            description = "Length of each record. " + Units.DURATION_HELP)
    double seconds;

    @Option(names = "--rate", paramLabel = "HZ", defaultValue = "250",
            description = "Samples per second (default: ${DEFAULT-VALUE}).")
    int rateHz;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "Folder to write into (created).")
    Path out;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
            description = "Records written at once; 0 for one per core (default: ${DEFAULT-VALUE}).")
    int threads;

    @Override
    public Integer call() throws Exception {
        if (records < 1 || records > 1_000_000) {
            throw new IllegalArgumentException("--records must be 1 to 1000000: " + records);
        }
        if (rateHz < 1 || rateHz > 1_000_000) {
            throw new IllegalArgumentException("--rate must be 1 to 1000000 Hz: " + rateHz);
        }
        long samples = Math.round(seconds * rateHz);
        if (!(seconds > 0) || samples < 2 || samples > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("--seconds must give 2 to 2^31-1 samples at " + rateHz + " Hz");
        }
        long start = System.nanoTime();
        long bytes = EcgDataSet.write(out, new EcgDataSet.Spec(records, samples, rateHz, seed), threads);
        spec.commandLine().getOut().printf(Locale.ROOT, "gen-data: %d records x %d samples (%.1f s at %d Hz, 2 "
                        + "channels) in %s: %d bytes in %.1f s%n", records, samples, samples / (double) rateHz,
                rateHz, out, bytes, (System.nanoTime() - start) / 1e9);
        return 0;
    }
}

package dev.courier.cli.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code courier gen-data}: a synthetic ECG-like data set in the bundled CSV format, for load and start-up tests. */
@Command(name = "gen-data", mixinStandardHelpOptions = true,
        description = {"Write a synthetic ECG-like data set: files 1.csv to N.csv of time,ecg1,ecg2 rows, values "
                + "multiples of 0.005 mV in shortest decimal form, the same bytes for the same seed.",
                "Serve it with: courier serve --data DIR"})
public final class GenDataCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--records", paramLabel = "N", required = true, description = "Records (files) to write.")
    int records;

    @Option(names = "--seconds", paramLabel = "S", required = true, description = "Length of each record.")
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
        Files.createDirectories(out);
        long start = System.nanoTime();
        int n = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        try (ExecutorService pool = Executors.newFixedThreadPool(Math.min(n, records))) {
            List<Future<?>> done = new ArrayList<>();
            for (int r = 1; r <= records; r++) {
                int record = r;
                done.add(pool.submit(() -> {
                    try {
                        EcgSynth.writeRecord(out, record, samples, rateHz, seed);
                    } catch (IOException e) {
                        throw new UncheckedIOException("cannot write " + out.resolve(record + ".csv") + ": "
                                + e.getMessage(), e);
                    }
                }));
            }
            for (Future<?> f : done) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    pool.shutdownNow();
                    throw e.getCause() instanceof Exception ex ? ex : e;
                }
            }
        }
        long bytes = 0;
        for (int r = 1; r <= records; r++) {
            bytes += Files.size(out.resolve(r + ".csv"));
        }
        spec.commandLine().getOut().printf(Locale.ROOT, "gen-data: %d records x %d samples (%.1f s at %d Hz, 2 "
                        + "channels) in %s: %d bytes in %.1f s%n", records, samples, samples / (double) rateHz,
                rateHz, out, bytes, (System.nanoTime() - start) / 1e9);
        return 0;
    }
}

package dev.courier.load;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Writes a synthetic ECG-like data set in the bundled CSV format: files {@code 1.csv} to {@code N.csv} of
 * {@code time,ecg1,ecg2} rows, values multiples of 0.005 mV in shortest decimal form, the same bytes for the same
 * seed (see {@link EcgSynth} for the signal). It exists for load and start-up tests with more data than the bundled
 * set; the server loads it like any data directory and {@link PointData} checks answers against it.
 *
 * <p>Threading: {@link #write} blocks its caller while a pool of its own writes several records at once.
 */
public final class EcgDataSet {
    private EcgDataSet() {
    }

    /**
     * What to write.
     *
     * @param records records (files), 1 to 1,000,000
     * @param samples samples per record, 2 to 2^31-1
     * @param rateHz  samples per second, 1 to 1,000,000: sample {@code i} is at {@code i / rateHz} seconds
     * @param seed    the same seed (and the same other fields) gives the same bytes
     */
    public record Spec(int records, long samples, int rateHz, long seed) {
        public Spec {
            if (records < 1 || records > 1_000_000) {
                throw new IllegalArgumentException("records must be 1 to 1000000: " + records);
            }
            if (rateHz < 1 || rateHz > 1_000_000) {
                throw new IllegalArgumentException("rate must be 1 to 1000000 Hz: " + rateHz);
            }
            if (samples < 2 || samples > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("samples must be 2 to 2^31-1: " + samples);
            }
        }
    }

    /**
     * Writes the records of {@code spec} into {@code dir} (created if missing; files of the same names replaced)
     * and returns the bytes written, all files together.
     *
     * @param threads records written at once; 0 for one per core
     * @throws UncheckedIOException when a record cannot be written (the message names its file)
     * @throws IOException          when {@code dir} cannot be created or a written file cannot be measured
     */
    public static long write(Path dir, Spec spec, int threads) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        int n = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        try (ExecutorService pool = Executors.newFixedThreadPool(Math.min(n, spec.records()))) {
            List<Future<?>> done = new ArrayList<>();
            for (int r = 1; r <= spec.records(); r++) {
                int record = r;
                done.add(pool.submit(() -> {
                    try {
                        EcgSynth.writeRecord(dir, record, spec.samples(), spec.rateHz(), spec.seed());
                    } catch (IOException e) {
                        throw new UncheckedIOException("cannot write " + dir.resolve(record + ".csv") + ": "
                                + e.getMessage(), e);
                    }
                }));
            }
            for (Future<?> f : done) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    pool.shutdownNow();
                    if (e.getCause() instanceof RuntimeException r) {
                        throw r;
                    }
                    if (e.getCause() instanceof Error err) {
                        throw err;
                    }
                    throw new IllegalStateException(e.getCause());
                }
            }
        }
        long bytes = 0;
        for (int r = 1; r <= spec.records(); r++) {
            bytes += Files.size(dir.resolve(r + ".csv"));
        }
        return bytes;
    }
}

package dev.courier.load;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Writes synthetic ECG-like recordings in the bundled data set's CSV format: {@code time,ecg1,ecg2} rows, no
 * header, times {@code i / rateHz} seconds from 0 and values in millivolts rounded to multiples of 0.005, every
 * number printed in its shortest decimal form ({@code 0}, {@code 0.004}, {@code -1.28}).
 *
 * <p>Each beat is a sum of Gaussian P, Q, R, S and T waves; each record has its own heart rate (50 to 100 bpm)
 * with beat-to-beat jitter, baseline wander and noise; the second channel is another lead (smaller R, inverted
 * T). Deterministic: the same seed gives the same bytes.
 */
final class EcgSynth {
    /** Values are multiples of this, in millivolts. */
    static final double RESOLUTION_MV = 0.005;

    /** One wave of a beat: where in the beat (fraction of the RR interval), how wide, how tall on each lead. */
    private record Wave(double at, double width, double lead1Mv, double lead2Mv) {
    }

    private static final Wave[] WAVES = {
            new Wave(0.16, 0.025, 0.15, 0.10),   // P
            new Wave(0.27, 0.008, -0.12, -0.05), // Q
            new Wave(0.30, 0.010, 1.30, 0.70),   // R
            new Wave(0.33, 0.010, -0.30, -0.20), // S
            new Wave(0.55, 0.045, 0.35, -0.15),  // T
    };

    private EcgSynth() {
    }

    /** Writes {@code dir/ID.csv} for record {@code recordNumber} (its id is the number). */
    static void writeRecord(Path dir, int recordNumber, long samples, int rateHz, long seed) throws IOException {
        SplittableRandom random = new SplittableRandom(seed * 1_000_003L + recordNumber);
        double beatsPerSecond = (50 + random.nextDouble() * 50) / 60.0;
        double wanderHz = 0.1 + random.nextDouble() * 0.3;
        double wanderPhase = random.nextDouble() * 2 * Math.PI;
        double noiseMv = 0.01 + random.nextDouble() * 0.02;
        double beatStart = -random.nextDouble() / beatsPerSecond;
        double beatLength = 1 / beatsPerSecond;
        Path file = dir.resolve(recordNumber + ".csv");
        try (Writer out = new BufferedWriter(Files.newBufferedWriter(file, StandardCharsets.US_ASCII), 1 << 16)) {
            StringBuilder line = new StringBuilder(48);
            for (long i = 0; i < samples; i++) {
                double t = i / (double) rateHz;
                while (t >= beatStart + beatLength) {
                    beatStart += beatLength;
                    beatLength = (1 + 0.05 * random.nextGaussian()) / beatsPerSecond;
                }
                double phase = (t - beatStart) / beatLength;
                double wander = 0.08 * Math.sin(2 * Math.PI * wanderHz * t + wanderPhase);
                double lead1 = wander + noiseMv * random.nextGaussian();
                double lead2 = 0.6 * wander + noiseMv * random.nextGaussian();
                for (Wave w : WAVES) {
                    double d = (phase - w.at()) * beatLength / w.width();
                    double g = Math.exp(-0.5 * d * d);
                    lead1 += w.lead1Mv() * g;
                    lead2 += w.lead2Mv() * g;
                }
                line.setLength(0);
                appendTime(line, t);
                line.append(',');
                appendMillivolts(line, Math.round(lead1 / RESOLUTION_MV));
                line.append(',');
                appendMillivolts(line, Math.round(lead2 / RESOLUTION_MV));
                line.append('\n');
                out.append(line);
            }
        }
    }

    /** The shortest decimal of {@code seconds}, without exponent or a trailing ".0". */
    static void appendTime(StringBuilder b, double seconds) {
        String s = Double.toString(seconds);
        if (s.indexOf('E') >= 0) {
            s = new BigDecimal(s).toPlainString();
        }
        if (s.endsWith(".0")) {
            s = s.substring(0, s.length() - 2);
        }
        b.append(s);
    }

    /** {@code steps * 0.005} in its shortest decimal form: 0, 0.005, -1.28, 2. */
    static void appendMillivolts(StringBuilder b, long steps) {
        long thousandths = steps * 5;
        if (thousandths < 0) {
            b.append('-');
            thousandths = -thousandths;
        }
        b.append(thousandths / 1000);
        int frac = (int) (thousandths % 1000);
        if (frac != 0) {
            b.append('.');
            if (frac < 100) {
                b.append('0');
            }
            if (frac < 10) {
                b.append('0');
            }
            while (frac % 10 == 0) {
                frac /= 10;
            }
            b.append(frac);
        }
    }
}

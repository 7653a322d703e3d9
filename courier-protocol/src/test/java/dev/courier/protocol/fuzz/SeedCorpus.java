package dev.courier.protocol.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The committed seed corpus of one fuzz target, where Jazzer's {@code @FuzzTest} finds it: the test resources
 * folder {@code <package>/<TestClass>Inputs/<method>/}, every file of which {@code mvn verify} replays and from
 * which {@code bench/fuzz.sh} starts. The seed writers (the {@code *FuzzSeeds} classes, run on request with
 * {@code -Dcourier.fuzz.writeSeeds=true}) collect named seeds here and write them out; a crash that
 * {@code bench/fuzz.sh} finds is added to the same folder.
 *
 * <p>Not thread-safe; one instance per writer run.
 */
public final class SeedCorpus {
    /** The system property that makes the seed writers run; without it they are skipped. */
    public static final String WRITE_PROPERTY = "courier.fuzz.writeSeeds";
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]*");

    private final Path folder;
    private final Map<String, byte[]> seeds = new LinkedHashMap<>();

    private SeedCorpus(Path folder) {
        this.folder = folder;
    }

    /** The corpus of {@code target}'s fuzz test {@code method}, in the module the tests run in. */
    public static SeedCorpus of(Class<?> target, String method) {
        Path folder = Path.of("src", "test", "resources", target.getPackageName().replace('.', '/'),
                target.getSimpleName() + "Inputs", method);
        return new SeedCorpus(folder);
    }

    /**
     * Adds a seed.
     *
     * @param name what it holds, lower case and dashes ({@code doc-hello}, {@code length-max-plus-1}); unique
     */
    public SeedCorpus add(String name, byte[] bytes) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("seed name '" + name + "' is not lower case and dashes");
        }
        if (bytes.length > FuzzInput.MAX_INPUT_BYTES) {
            throw new IllegalArgumentException("seed " + name + " of " + bytes.length + " bytes is over the limit");
        }
        if (seeds.putIfAbsent("seed-" + name, bytes.clone()) != null) {
            throw new IllegalArgumentException("two seeds named " + name);
        }
        return this;
    }

    /**
     * Writes every seed to {@link #folder}, replacing the earlier seeds ({@code seed-*}) and keeping every other
     * file, crashes found by fuzzing above all.
     */
    public void write() {
        try {
            Files.createDirectories(folder);
            try (var old = Files.list(folder)) {
                for (Path p : old.filter(p -> p.getFileName().toString().startsWith("seed-")).toList()) {
                    Files.delete(p);
                }
            }
            for (Map.Entry<String, byte[]> seed : seeds.entrySet()) {
                Files.write(folder.resolve(seed.getKey()), seed.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The bytes of hex digits, spaces allowed between them: the notation of docs/protocol.md. */
    public static byte[] hex(String digits) {
        return HexFormat.of().parseHex(digits.replace(" ", ""));
    }
}

package dev.courier.server.points;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The recordings of a data directory served from memory-mapped {@link ColumnFile}s, so that start-up time and
 * heap do not grow with the data. Each {@code NAME.csv} is converted once into {@code NAME.col} in a cache folder
 * ({@code DATA/.courier-cache} by default); every later load {@code stat}s the CSV and maps its column file when the
 * size and modification time it records still match, without reading the CSV. A missing, out-of-date or damaged
 * column file is (re)built, in parallel across files; a malformed CSV is reported with its name and line and
 * skipped, as {@link CsvRecordingLoader} does.
 *
 * <p>When the data directory is not writable, column files go to a fallback folder (by default under the system
 * temporary folder, one per user and data directory), used only if the current user owns it. When neither can be
 * written, the recordings are parsed into the heap as before, with a warning.
 *
 * <p>Removes column files whose CSV is gone, and temporary files older than an hour left by a crash. Several
 * processes may load the same directory at once: each writes its own temporary file and renames it into place.
 * Not thread-safe itself; one {@link #load} at a time.
 */
public final class RecordingCache {
    /** The cache folder's name inside a data directory. */
    public static final String FOLDER_NAME = ".courier-cache";

    private static final Logger log = LoggerFactory.getLogger(RecordingCache.class);
    private static final long PROGRESS_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final long STALE_TEMP_MILLIS = TimeUnit.HOURS.toMillis(1);
    /** Conversions of more CSV than this are announced at INFO; smaller ones (the bundled set) only at DEBUG. */
    private static final long ANNOUNCE_CSV_BYTES = 256L << 20;

    private final Path folder;
    private final Optional<Path> fallbackFolder;
    private final int threads;

    /**
     * @param folder         where column files are read from and written to
     * @param fallbackFolder where they go when {@code folder} cannot be written; empty to parse into memory then
     * @param threads        CSV files converted at once, at least 1
     */
    public RecordingCache(Path folder, Optional<Path> fallbackFolder, int threads) {
        this.folder = Objects.requireNonNull(folder, "folder");
        this.fallbackFolder = Objects.requireNonNull(fallbackFolder, "fallbackFolder");
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1: " + threads);
        }
        this.threads = threads;
    }

    /**
     * The usual cache of {@code dataDir}: {@code dataDir/.courier-cache}, falling back to
     * {@code TMP/courier-cache-USER/NAME-HASH} (the JDK's temporary folder and user name), one conversion thread
     * per core.
     */
    public static RecordingCache forDataDir(Path dataDir) {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        String user = System.getProperty("user.name", "user").replaceAll("[^A-Za-z0-9._-]", "_");
        Path absolute = dataDir.toAbsolutePath().normalize();
        String leaf = absolute.getFileName() == null ? "root"
                : absolute.getFileName().toString().replaceAll("[^A-Za-z0-9._-]", "_");
        Path fallback = tmp.resolve("courier-cache-" + user).resolve(leaf + "-" + shortHash(absolute.toString()));
        return new RecordingCache(dataDir.resolve(FOLDER_NAME), Optional.of(fallback),
                Runtime.getRuntime().availableProcessors());
    }

    private static String shortHash(String s) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /**
     * Loads every {@code *.csv} of {@code dataDir}, mapping current column files and converting the rest.
     *
     * @throws IOException when the directory or a CSV cannot be read
     */
    public CsvRecordingLoader.Result load(Path dataDir) throws IOException, InterruptedException {
        long startNanos = System.nanoTime();
        List<Path> files = CsvRecordingLoader.listCsvFiles(dataDir);
        Recording[] recordings = new Recording[files.size()];
        String[] problems = new String[files.size()];
        List<ColumnFile.Source> toConvert = new ArrayList<>();
        List<Integer> toConvertIndex = new ArrayList<>();
        Folders folders = new Folders();
        long mappedBytes = 0;
        int outOfDate = 0;
        int damaged = 0;
        List<Path> readable = folders.readable();
        for (int i = 0; i < files.size(); i++) {
            ColumnFile.Source source = stat(files.get(i));
            Recording r = null;
            for (Path dir : readable) {
                Path col = dir.resolve(source.csv().getFileName() + ColumnFile.SUFFIX);
                try {
                    r = ColumnFile.open(col, source);
                    mappedBytes += r.storedBytes();
                    break;
                } catch (NoSuchFileException e) {
                    // not converted yet
                } catch (ColumnFile.UnusableException e) {
                    if (e.damaged()) {
                        damaged++;
                        log.warn("rebuilding a column file: {}", e.getMessage());
                    } else {
                        outOfDate++;
                        log.debug("rebuilding a column file: {}", e.getMessage());
                    }
                } catch (IOException e) {
                    damaged++;
                    log.warn("rebuilding column file {}: {}", col, e.toString());
                }
            }
            if (r != null) {
                recordings[i] = r;
            } else {
                toConvert.add(source);
                toConvertIndex.add(i);
            }
        }
        int reused = files.size() - toConvert.size();
        Conversion conversion = new Conversion(0, 0, false);
        if (!toConvert.isEmpty()) {
            if (outOfDate + damaged > 0) {
                log.debug("{} column files out of date, {} damaged; rebuilding them", outOfDate, damaged);
            }
            conversion = convert(toConvert, toConvertIndex, folders, recordings, problems);
        }
        folders.removeLeftovers(files);
        List<Recording> loaded = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            if (recordings[i] != null) {
                loaded.add(recordings[i]);
            } else {
                failed.add(problems[i]);
            }
        }
        String summary = String.format(Locale.ROOT, "%d recordings from %s in %d ms: %d column files (%s) mapped "
                        + "as they were, %d CSV files converted (%s of CSV to %s of columns)", loaded.size(), dataDir,
                (System.nanoTime() - startNanos) / 1_000_000, reused, size(mappedBytes), toConvert.size(),
                size(conversion.csvBytes()), size(conversion.columnBytes()));
        if (conversion.announced()) {
            log.info(summary);
        } else {
            log.debug(summary);
        }
        return new CsvRecordingLoader.Result(loaded, failed);
    }

    private static ColumnFile.Source stat(Path csv) throws IOException {
        BasicFileAttributes a = Files.readAttributes(csv, BasicFileAttributes.class);
        String name = csv.getFileName().toString();
        String id = name.substring(0, name.length() - ".csv".length());
        return new ColumnFile.Source(csv, id, a.size(), a.lastModifiedTime().to(TimeUnit.NANOSECONDS));
    }

    private record Conversion(long csvBytes, long columnBytes, boolean announced) {
    }

    /** What one conversion gave: a recording (mapped, or on the heap if writing failed) or a problem. */
    private record Converted(int index, Recording recording, String problem, long csvBytes, long columnBytes) {
    }

    private Conversion convert(List<ColumnFile.Source> sources, List<Integer> indexes, Folders folders,
                               Recording[] recordings, String[] problems)
            throws IOException, InterruptedException {
        long startNanos = System.nanoTime();
        long totalCsvBytes = 0;
        for (ColumnFile.Source s : sources) {
            totalCsvBytes += s.sizeBytes();
        }
        Optional<Path> target = folders.writable();
        int n = Math.min(threads, sources.size());
        boolean announced = totalCsvBytes > ANNOUNCE_CSV_BYTES;
        String start = String.format(Locale.ROOT, "converting %d CSV files (%s) to column files in %s with %d "
                        + "threads, once", sources.size(), size(totalCsvBytes),
                target.map(Path::toString).orElse("memory (no writable cache folder)"), n);
        if (announced) {
            log.info(start);
        } else {
            log.debug(start);
        }
        ExecutorService pool = Executors.newFixedThreadPool(n,
                Thread.ofPlatform().name("courier-convert-", 0).daemon(true).factory());
        try {
            ExecutorCompletionService<Converted> done = new ExecutorCompletionService<>(pool);
            for (int k = 0; k < sources.size(); k++) {
                ColumnFile.Source source = sources.get(k);
                int index = indexes.get(k);
                done.submit(() -> convertOne(index, source, target, folders));
            }
            long csvBytes = 0;
            long columnBytes = 0;
            long nextReportNanos = startNanos + PROGRESS_INTERVAL_NANOS;
            for (int finished = 0; finished < sources.size(); ) {
                Future<Converted> f = done.poll(Math.max(1, nextReportNanos - System.nanoTime()),
                        TimeUnit.NANOSECONDS);
                if (f != null) {
                    Converted c = result(f);
                    recordings[c.index()] = c.recording();
                    problems[c.index()] = c.problem();
                    csvBytes += c.csvBytes();
                    columnBytes += c.columnBytes();
                    finished++;
                }
                if (System.nanoTime() >= nextReportNanos) {
                    announced = true;
                    log.info("converted {} of {} CSV files ({} of {}) in {} s", finished, sources.size(),
                            size(csvBytes), size(totalCsvBytes), seconds(System.nanoTime() - startNanos));
                    nextReportNanos += PROGRESS_INTERVAL_NANOS;
                }
            }
            String end = String.format(Locale.ROOT, "converted %d CSV files (%s) to %s of column files in %s s",
                    sources.size(), size(csvBytes), size(columnBytes), seconds(System.nanoTime() - startNanos));
            if (announced) {
                log.info(end);
            } else {
                log.debug(end);
            }
            return new Conversion(csvBytes, columnBytes, announced);
        } finally {
            pool.shutdownNow();
        }
    }

    private static Converted result(Future<Converted> f) throws IOException, InterruptedException {
        try {
            return f.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IOException(cause);
        }
    }

    private static Converted convertOne(int index, ColumnFile.Source source, Optional<Path> target, Folders folders)
            throws IOException {
        CsvRecordingLoader.Parsed parsed;
        try {
            parsed = CsvRecordingLoader.parse(source.csv());
        } catch (CsvRecordingLoader.MalformedCsvException e) {
            return new Converted(index, null, e.getMessage(), source.sizeBytes(), 0);
        }
        if (target.isPresent()) {
            Path col = target.get().resolve(source.csv().getFileName() + ColumnFile.SUFFIX);
            try {
                long bytes = ColumnFile.write(col, parsed, source);
                return new Converted(index, ColumnFile.open(col, source), null, source.sizeBytes(), bytes);
            } catch (IOException | ColumnFile.UnusableException e) {
                folders.writeFailed(col, e);
            }
        }
        Recording inMemory = parsed.onHeap();
        return new Converted(index, inMemory, null, source.sizeBytes(), 0);
    }

    /** Where column files are read and written, found out once per load and only when needed. */
    private final class Folders {
        private Optional<Path> writable;
        private Boolean fallbackUsable;
        private boolean warned;

        /** The folders to look for column files in: the main one, and the fallback if it can be trusted. */
        List<Path> readable() {
            List<Path> list = new ArrayList<>(2);
            if (Files.isDirectory(folder)) {
                list.add(folder);
            }
            if (fallbackFolder.isPresent() && Files.isDirectory(fallbackFolder.get()) && fallbackUsable()) {
                list.add(fallbackFolder.get());
            }
            return list;
        }

        Optional<Path> writable() {
            if (writable == null) {
                if (probe(folder, false)) {
                    writable = Optional.of(folder);
                } else if (fallbackFolder.isPresent() && fallbackUsable()) {
                    log.info("cannot write column files to {}; using {}", folder, fallbackFolder.get());
                    writable = fallbackFolder;
                } else {
                    log.warn("cannot write column files to {}{}; recordings are parsed into memory at every start",
                            folder, fallbackFolder.map(f -> " nor " + f).orElse(""));
                    writable = Optional.empty();
                }
            }
            return writable;
        }

        /** The fallback may sit in a shared temporary folder: use it only if this user created and owns it. */
        private boolean fallbackUsable() {
            if (fallbackUsable == null) {
                fallbackUsable = fallbackFolder.isPresent() && probe(fallbackFolder.get(), true);
            }
            return fallbackUsable;
        }

        synchronized void writeFailed(Path col, Exception e) {
            if (!warned) {
                warned = true;
                log.warn("cannot write column file {} ({}); serving such recordings from memory", col,
                        e.getMessage());
            }
        }

        /**
         * Creates {@code dir} if needed (private to this user where POSIX) and checks that it can be written and,
         * if {@code mustOwn}, that this user owns it.
         */
        private static boolean probe(Path dir, boolean mustOwn) {
            try {
                if (!Files.isDirectory(dir)) {
                    try {
                        Files.createDirectories(dir.getParent());
                        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(
                                PosixFilePermissions.fromString("rwx------")));
                    } catch (UnsupportedOperationException e) {
                        Files.createDirectories(dir);
                    }
                }
                Path probe = Files.createTempFile(dir, ".probe-", ColumnFile.TEMP_INFIX);
                try {
                    return !mustOwn || Files.getOwner(probe).equals(Files.getOwner(dir));
                } finally {
                    Files.delete(probe);
                }
            } catch (IOException | UnsupportedOperationException | SecurityException e) {
                log.debug("cannot use {} for column files: {}", dir, e.toString());
                return false;
            }
        }

        /** Deletes column files whose CSV is gone and temporary files abandoned by a crash. */
        void removeLeftovers(List<Path> csvFiles) {
            Set<String> keep = new HashSet<>();
            for (Path csv : csvFiles) {
                keep.add(csv.getFileName() + ColumnFile.SUFFIX);
            }
            for (Path dir : writable == null ? readable() : writable.map(List::of).orElse(List.of())) {
                try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
                    for (Path p : stream) {
                        String name = p.getFileName().toString();
                        boolean orphan = name.endsWith(".csv" + ColumnFile.SUFFIX) && !keep.contains(name);
                        boolean abandoned = name.contains(ColumnFile.TEMP_INFIX) && olderThan(p, STALE_TEMP_MILLIS);
                        if (orphan || abandoned) {
                            Files.deleteIfExists(p);
                            log.debug("removed {}", p);
                        }
                    }
                } catch (IOException e) {
                    log.debug("cannot clean {}: {}", dir, e.toString());
                }
            }
        }

        private static boolean olderThan(Path p, long millis) throws IOException {
            FileTime modified = Files.getLastModifiedTime(p);
            return System.currentTimeMillis() - modified.toMillis() > millis;
        }
    }

    private static String size(long bytes) {
        if (bytes < 10L << 20) {
            return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
        }
        if (bytes < 10L << 30) {
            return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1 << 20));
        }
        return String.format(Locale.ROOT, "%.2f GiB", bytes / (double) (1L << 30));
    }

    private static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.1f", nanos / 1e9);
    }
}

package dev.courier.load;

import java.io.IOException;
import java.io.Reader;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.postgresql.PGConnection;

/**
 * The same range reads against PostgreSQL, the store a user would otherwise keep ECG samples in: a table
 * {@code samples(record text, idx int, time float8, ch1 float8, ch2 float8, primary key (record, idx))}, each range
 * one prepared {@code SELECT chN ... WHERE record = ? AND idx >= ? AND idx < ? ORDER BY idx} through JDBC, every value
 * checked as for Courier. {@link #load} fills the table from the data set first, with COPY.
 *
 * <p>Threading: as {@link Target}. JDBC blocks, so each session runs its statements one at a time on a virtual thread
 * of its own; requests sent while one runs wait for it, as on one PostgreSQL connection they must.
 */
public final class PostgresTarget implements Target {
    private final String url;
    private final RangeSpans spans;
    private final String query;
    /** Where connections are opened: JDBC's connect blocks. */
    private final ExecutorService connector = Executors.newVirtualThreadPerTaskExecutor();

    /**
     * @param url         a JDBC URL, {@code jdbc:postgresql://127.0.0.1:5432/postgres?user=...}
     * @param channel     1 or 2: the column {@code ch1} or {@code ch2}
     * @param spanSeconds length of each range, seconds
     */
    public PostgresTarget(String url, PointData data, int channel, double spanSeconds) {
        if (channel < 1 || channel > 2) {
            throw new IllegalArgumentException("the samples table has channels 1 and 2, not " + channel);
        }
        this.url = url;
        this.spans = new RangeSpans(data, channel, spanSeconds);
        this.query = "SELECT ch" + channel + " FROM samples WHERE record = ? AND idx >= ? AND idx < ? ORDER BY idx";
    }

    /** Replaces the table {@code samples} with every row of the data set (COPY), then ANALYZEs it. */
    public void load() throws SQLException, IOException {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS samples");
            s.execute("CREATE TABLE samples(record text, idx int, time float8, ch1 float8, ch2 float8,"
                    + " primary key (record, idx))");
            PGConnection pg = c.unwrap(PGConnection.class);
            PointData data = spans.data();
            for (int r = 0; r < data.recordCount(); r++) {
                pg.getCopyAPI().copyIn("COPY samples FROM STDIN (FORMAT csv)", new RowsReader(data, r));
            }
            s.execute("ANALYZE samples");
        }
    }

    /** The CSV rows of one record for COPY, made as they are read: {@code record,idx,time,ch1,ch2}. */
    private static final class RowsReader extends Reader {
        private final PointData data;
        private final int r;
        private int row;
        private String pending = "";
        private int at;

        RowsReader(PointData data, int r) {
            this.data = data;
            this.r = r;
        }

        @Override
        public int read(char[] buf, int off, int len) {
            if (at == pending.length()) {
                if (row == data.rows(r)) {
                    return -1;
                }
                StringBuilder b = new StringBuilder(64);
                b.append(data.records().get(r)).append(',').append(data.sampleIndex(r, row)).append(',')
                        .append(data.timeSeconds(r, row));
                for (int ch = 1; ch <= 2; ch++) {
                    b.append(',');
                    if (ch <= data.channels(r)) {
                        b.append(data.value(r, ch, row)); // Double.toString: shortest, reads back exactly
                    }
                }
                pending = b.append('\n').toString();
                at = 0;
                row++;
            }
            int n = Math.min(len, pending.length() - at);
            pending.getChars(at, at + n, buf, off);
            at += n;
            return n;
        }

        @Override
        public void close() {
        }
    }

    /** Samples in each range. */
    public int spanSamples() {
        return spans.spanSamples();
    }

    @Override
    public String describe() {
        return "postgresql " + url.replaceAll("password=[^&]*", "password=...") + ": SELECT of " + spans.spanSamples()
                + " samples of ch" + spans.channel() + ", " + spans.data().recordCount() + " records";
    }

    @Override
    public String kind() {
        return "postgres";
    }

    @Override
    public CompletableFuture<Session> open() {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return new SqlSession(DriverManager.getConnection(url));
            } catch (SQLException e) {
                throw new IllegalStateException("cannot connect to " + url + ": " + e.getMessage(), e);
            }
        }, connector);
    }

    @Override
    public void close() {
        connector.close();
    }

    private final class SqlSession implements Session {
        private final Connection connection;
        private final PreparedStatement statement;
        private final ExecutorService runner = Executors.newSingleThreadExecutor(Thread.ofVirtual().factory());
        private volatile boolean open = true;

        SqlSession(Connection connection) throws SQLException {
            this.connection = connection;
            this.statement = connection.prepareStatement(query);
        }

        @Override
        public void send(long key, long token, Callback callback) {
            runner.execute(() -> {
                int from = spans.fromSample(key);
                String problem = null;
                int seen = 0;
                try {
                    statement.setString(1, spans.record(key));
                    statement.setInt(2, from);
                    statement.setInt(3, from + spans.spanSamples());
                    try (ResultSet rs = statement.executeQuery()) {
                        while (rs.next()) {
                            String wrong = problem == null ? spans.check(key, seen, rs.getDouble(1)) : null;
                            problem = problem == null ? wrong : problem;
                            seen++;
                        }
                    }
                } catch (SQLException e) {
                    open = false;
                    callback.completed(token, Outcome.FAILED, e.getMessage());
                    return;
                }
                if (problem == null && seen != spans.spanSamples()) {
                    problem = "record " + spans.record(key) + ": " + seen + " rows, not " + spans.spanSamples();
                }
                callback.completed(token, problem == null ? Outcome.CORRECT : Outcome.WRONG, problem);
            });
        }

        @Override
        public boolean isOpen() {
            return open;
        }

        @Override
        public void close() {
            open = false;
            runner.close();
            try {
                connection.close();
            } catch (SQLException e) {
                // Closing: nothing left to tell.
            }
        }
    }
}

package dev.courier.server.auth;

import java.util.EnumSet;
import java.util.Set;

/**
 * What a token may do: one scope per kind of request (docs/protocol.md, "Authentication"). {@link #ADMIN} is every
 * scope, today and for the requests still to come. The names are those of the token file and of
 * {@code courier token new --scopes}.
 */
public enum Scope {
    /** POINT, POINT_BATCH, RECORDS, RANGE_STREAM, ENVELOPE and SUBSCRIBE: reading records. */
    POINTS("points"),
    /** LIST, STAT, READ, DIGEST, READ_STREAM, WINDOW, CANCEL. */
    FILES_READ("files:read"),
    /** UPLOAD_BEGIN, UPLOAD_WRITE, UPLOAD_COMMIT. */
    FILES_WRITE("files:write"),
    /** APPEND, to live records (SUBSCRIBE reads, and needs {@link #POINTS}). */
    LIVE_WRITE("live:write"),
    /** Every scope (and the administration of issue 15). */
    ADMIN("admin");

    private final String wireName;

    Scope(String wireName) {
        this.wireName = wireName;
    }

    /** The name in token files and on the command line: {@code files:read}. */
    public String wireName() {
        return wireName;
    }

    /**
     * The scopes of a comma list such as {@code points,files:read}.
     *
     * @throws IllegalArgumentException for an empty list or an unknown name, naming the ones there are
     */
    public static Set<Scope> parseList(String list) {
        EnumSet<Scope> out = EnumSet.noneOf(Scope.class);
        for (String name : list.split(",", -1)) {
            out.add(parse(name.strip()));
        }
        return out;
    }

    /** The scope called {@code name}; IllegalArgumentException naming the known ones otherwise. */
    public static Scope parse(String name) {
        for (Scope s : values()) {
            if (s.wireName.equals(name)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown scope '" + name + "'; the scopes are " + names());
    }

    /** The names of every scope, comma-separated. */
    public static String names() {
        StringBuilder b = new StringBuilder();
        for (Scope s : values()) {
            b.append(b.isEmpty() ? "" : ", ").append(s.wireName);
        }
        return b.toString();
    }

    /** The comma list of {@code scopes}, in declaration order, as the token file writes it. */
    public static String format(Set<Scope> scopes) {
        StringBuilder b = new StringBuilder();
        for (Scope s : values()) {
            if (scopes.contains(s)) {
                b.append(b.isEmpty() ? "" : ",").append(s.wireName);
            }
        }
        return b.toString();
    }
}

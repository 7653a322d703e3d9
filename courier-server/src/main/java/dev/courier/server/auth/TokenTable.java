package dev.courier.server.auth;

import dev.courier.protocol.Secret;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The tokens of a token file ({@code serve --auth FILE}): one per line, {@code NAME SCOPES SHA256HEX}, where SCOPES
 * is a comma list ({@link Scope}) and SHA256HEX the hex SHA-256 of the token; {@code #} starts a comment, blank
 * lines are skipped. Immutable and thread-safe: a reload makes a new table.
 *
 * <p>{@link #lookup} hashes the presented token and compares the hash with every entry's in constant time
 * ({@link MessageDigest#isEqual}), going through the whole table whatever matches, so neither the comparison nor
 * the position of a match tells an attacker how close a guess was.
 */
public final class TokenTable {
    /** Names as logs and rate limits show them: letters, digits, {@code . _ -}, at most 64. */
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-fA-F]{64}");

    private final List<TokenEntry> entries;

    private TokenTable(List<TokenEntry> entries) {
        this.entries = List.copyOf(entries);
    }

    /** A table of {@code entries}; for tests and for {@link #parse}. */
    public static TokenTable of(List<TokenEntry> entries) {
        return new TokenTable(entries);
    }

    /**
     * Reads and checks a token file.
     *
     * @throws IOException when it cannot be read, or a line is bad: the message names {@code FILE:LINE} and why
     *                     (never the line's text past its name: a user may have pasted a token there by mistake)
     */
    public static TokenTable load(Path file) throws IOException {
        return parse(file.toString(), Files.readAllLines(file, StandardCharsets.UTF_8));
    }

    /** {@link #load} of lines already read; {@code source} names them in errors. */
    public static TokenTable parse(String source, List<String> lines) throws IOException {
        List<TokenEntry> entries = new ArrayList<>();
        Set<String> names = new HashSet<>();
        Set<String> hashes = new HashSet<>();
        for (int i = 0; i < lines.size(); i++) {
            String where = source + ":" + (i + 1);
            String line = lines.get(i);
            int hash = line.indexOf('#');
            String text = (hash >= 0 ? line.substring(0, hash) : line).strip();
            if (text.isEmpty()) {
                continue;
            }
            String[] fields = text.split("\\s+");
            if (fields.length != 3) {
                throw new IOException(where + ": expected NAME SCOPES SHA256HEX (3 fields), found " + fields.length);
            }
            String name = fields[0];
            if (!NAME.matcher(name).matches()) {
                throw new IOException(where + ": a name is 1 to 64 letters, digits, '.', '_' or '-'");
            }
            Set<Scope> scopes;
            try {
                scopes = Scope.parseList(fields[1]);
            } catch (IllegalArgumentException e) {
                throw new IOException(where + ": " + e.getMessage());
            }
            if (!SHA256_HEX.matcher(fields[2]).matches()) {
                throw new IOException(where + ": the third field must be the token's SHA-256 as 64 hex digits (the "
                        + "line `courier token new` prints), not the token itself");
            }
            if (!names.add(name)) {
                throw new IOException(where + ": the name '" + name + "' is on an earlier line too");
            }
            String sha = fields[2].toLowerCase();
            if (!hashes.add(sha)) {
                throw new IOException(where + ": the same token is on an earlier line too");
            }
            entries.add(new TokenEntry(name, scopes, HexFormat.of().parseHex(sha)));
        }
        return new TokenTable(entries);
    }

    /** The entry of {@code token}, compared in constant time against every entry; empty when none matches. */
    public Optional<TokenEntry> lookup(Secret token) {
        return lookup(sha256(token));
    }

    /** The entry whose hash is {@code sha256}, compared as {@link #lookup(Secret)} does. */
    public Optional<TokenEntry> lookup(byte[] sha256) {
        TokenEntry found = null;
        for (TokenEntry e : entries) {
            if (MessageDigest.isEqual(e.sha256(), sha256) && found == null) {
                found = e; // and go on: the time taken does not depend on where the match is
            }
        }
        return Optional.ofNullable(found);
    }

    /** How many tokens the table holds. */
    public int size() {
        return entries.size();
    }

    /** The SHA-256 of a token's UTF-8 bytes. */
    public static byte[] sha256(Secret token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.value().getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}

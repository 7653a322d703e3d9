package dev.courier.server.testing;

import dev.courier.protocol.Secret;
import dev.courier.server.auth.NewToken;
import dev.courier.server.auth.Scope;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A token file for tests: tokens made as {@code courier token new} makes them, written as its lines. */
public final class TokenFiles {
    private final Path file;
    private final Map<String, NewToken> tokens = new LinkedHashMap<>();

    public TokenFiles(Path file) {
        this.file = file;
    }

    /** Adds a token called {@code name} with {@code scopes} (not yet written) and returns it. */
    public Secret add(String name, Scope... scopes) {
        NewToken t = NewToken.create(name, Set.of(scopes));
        tokens.put(name, t);
        return t.token();
    }

    public void remove(String name) {
        tokens.remove(name);
    }

    /** Writes the file: a comment, a blank line, then one line per token. */
    public Path write() throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add("# tokens for a test");
        lines.add("");
        for (NewToken t : tokens.values()) {
            lines.add(t.line());
        }
        Files.write(file, lines);
        return file;
    }

    /** Writes the file with {@code extra} as one more line at the end. */
    public Path writeWith(String extra) throws IOException {
        write();
        Files.writeString(file, Files.readString(file) + extra + "\n");
        return file;
    }

    public Path file() {
        return file;
    }
}

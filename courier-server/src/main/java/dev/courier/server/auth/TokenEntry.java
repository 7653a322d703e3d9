package dev.courier.server.auth;

import java.util.HexFormat;
import java.util.Set;

/**
 * One line of a token file: a token's name, its scopes, and the SHA-256 of the token (never the token: the file
 * holds no secret). Immutable.
 *
 * @param name   the token's name, for logs and for the rate limit of its connections
 * @param scopes what it may do; {@link Scope#ADMIN} is everything
 * @param sha256 the 32 bytes of the token's SHA-256
 */
public record TokenEntry(String name, Set<Scope> scopes, byte[] sha256) {
    public TokenEntry {
        scopes = Set.copyOf(scopes);
        sha256 = sha256.clone();
    }

    /** True when this token may send requests that need {@code scope}. */
    public boolean allows(Scope scope) {
        return scopes.contains(scope) || scopes.contains(Scope.ADMIN);
    }

    @Override
    public byte[] sha256() {
        return sha256.clone();
    }

    @Override
    public String toString() {
        return "TokenEntry[" + name + " " + Scope.format(scopes) + " " + HexFormat.of().formatHex(sha256) + "]";
    }
}

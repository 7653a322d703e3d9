package dev.courier.server.auth;

import dev.courier.protocol.Secret;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Set;

/**
 * A fresh token and its line for the token file, as {@code courier token new} prints them. The token is {@code ct_}
 * and the base64url (no padding) of 32 bytes from {@link SecureRandom}: 256 bits, far beyond guessing, and only
 * characters that survive shells, URLs and environment variables. Immutable; {@link #toString()} hides the token.
 *
 * @param token the secret, which only the client should keep
 * @param line  {@code NAME SCOPES SHA256HEX}, for the server's token file (holds no secret)
 */
public record NewToken(Secret token, String line) {
    /** Random bytes per token. */
    public static final int RANDOM_BYTES = 32;
    /** What every token made here starts with, so a leaked one is easy to recognise (and to scan for). */
    public static final String PREFIX = "ct_";
    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * A new token called {@code name} with {@code scopes}.
     *
     * @throws IllegalArgumentException for a name the token file would refuse, or no scopes
     */
    public static NewToken create(String name, Set<Scope> scopes) {
        if (!TokenTable.NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("a token name is 1 to 64 letters, digits, '.', '_' or '-': '"
                    + name + "'");
        }
        if (scopes.isEmpty()) {
            throw new IllegalArgumentException("give at least one scope: " + Scope.names());
        }
        byte[] random = new byte[RANDOM_BYTES];
        RANDOM.nextBytes(random);
        Secret token = new Secret(PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(random));
        return new NewToken(token, name + " " + Scope.format(scopes) + " "
                + HexFormat.of().formatHex(TokenTable.sha256(token)));
    }
}

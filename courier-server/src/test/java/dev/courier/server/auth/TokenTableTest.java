package dev.courier.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.courier.protocol.Secret;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The token file's format, its errors naming file and line, lookups by hash, new tokens, and the failure throttle. */
class TokenTableTest {
    private static final String HASH = "abababababababababababababababababababababababababababababababab";

    private static String sha256Hex(String s) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void commentsAndBlankLinesAreSkippedAndATokenIsFoundByItsHash() throws Exception {
        TokenTable t = TokenTable.parse("f", List.of("# a comment", "", "  alice points,files:read " + sha256Hex("s1")
                + "  # trailing comment", "bob admin " + sha256Hex("s2").toUpperCase()));

        assertThat(t.size()).isEqualTo(2);
        TokenEntry alice = t.lookup(new Secret("s1")).orElseThrow();
        assertThat(alice.name()).isEqualTo("alice");
        assertThat(alice.scopes()).containsExactlyInAnyOrder(Scope.POINTS, Scope.FILES_READ);
        assertThat(alice.allows(Scope.FILES_WRITE)).isFalse();
        assertThat(t.lookup(new Secret("s2")).orElseThrow().allows(Scope.FILES_WRITE)).isTrue();
        assertThat(t.lookup(new Secret("s3"))).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "two fields             | alice points                          | expected NAME SCOPES SHA256HEX",
            "four fields            | alice points abababababababababababababababababababababababababababababababab x          | expected NAME SCOPES SHA256HEX",
            "bad name               | al/ice points abababababababababababababababababababababababababababababababab           | a name is 1 to 64",
            "unknown scope          | alice point abababababababababababababababababababababababababababababababab             | unknown scope 'point'",
            "empty scope in list    | alice points,, abababababababababababababababababababababababababababababababab          | unknown scope ''",
            "a token, not its hash  | alice points ct_abcdefabcdef          | 64 hex digits",
            "short hash             | alice points abcd                     | 64 hex digits",
    })
    void aBadLineIsAnErrorNamingFileAndLine(String why, String line, String message) {
        assertThatThrownBy(() -> TokenTable.parse("tokens.txt", List.of("# ok", line)))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("tokens.txt:2: ")
                .hasMessageContaining(message);
    }

    @Test
    void aBadLineNeverQuotesItsText() {
        assertThatThrownBy(() -> TokenTable.parse("f", List.of("ct_pastedsecret")))
                .hasMessageNotContaining("ct_pastedsecret");
    }

    @Test
    void duplicateNamesAndTokensAreErrors() {
        assertThatThrownBy(() -> TokenTable.parse("f", List.of("a points " + HASH, "a points " + "cd".repeat(32))))
                .hasMessageContaining("f:2: the name 'a'");
        assertThatThrownBy(() -> TokenTable.parse("f", List.of("a points " + HASH, "b points " + HASH.toUpperCase())))
                .hasMessageContaining("f:2: the same token");
    }

    @Test
    void aNewTokenHasTheContractsFormAndItsLineFindsIt() throws Exception {
        NewToken t = NewToken.create("ci-bot", Set.of(Scope.FILES_READ, Scope.POINTS));

        assertThat(t.token().value()).matches("ct_[A-Za-z0-9_-]{43}");
        assertThat(t.line()).isEqualTo("ci-bot points,files:read " + sha256Hex(t.token().value()));
        assertThat(TokenTable.parse("f", List.of(t.line())).lookup(t.token())).isPresent();
        assertThat(t.toString()).doesNotContain(t.token().value());
        assertThat(NewToken.create("x", Set.of(Scope.ADMIN)).token()).isNotEqualTo(t.token());
    }

    @Test
    void aNewTokenNeedsAGoodNameAndAScope() {
        assertThatThrownBy(() -> NewToken.create("has space", Set.of(Scope.POINTS)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NewToken.create("ok", Set.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Scope.parseList("points,nope")).hasMessageContaining("points, files:read");
    }

    @Test
    void failureDelaysDoubleUpToTheCapAndAreForgottenAfterAQuietMinute() throws Exception {
        FailureThrottle throttle = new FailureThrottle();
        InetAddress a = InetAddress.getByName("192.0.2.1");
        long t = 0;
        assertThat(throttle.failed(a, t).delayMillis()).isZero();
        assertThat(throttle.failed(a, t).delayMillis()).isEqualTo(FailureThrottle.BASE_DELAY_MILLIS);
        assertThat(throttle.failed(a, t).delayMillis()).isEqualTo(2 * FailureThrottle.BASE_DELAY_MILLIS);
        for (int i = 0; i < 30; i++) {
            throttle.failed(a, t);
        }
        assertThat(throttle.failed(a, t).delayMillis()).isEqualTo(FailureThrottle.MAX_DELAY_MILLIS);
        long later = t + (FailureThrottle.FORGET_AFTER_MILLIS + 1) * 1_000_000L;
        assertThat(throttle.failed(a, later)).isEqualTo(new FailureThrottle.Delay(1, 0));
        // Another address is not slowed by this one's failures.
        assertThat(throttle.failed(InetAddress.getByName("192.0.2.2"), later).delayMillis()).isZero();
    }

    @Test
    void theThrottleRemembersABoundedNumberOfAddresses() throws Exception {
        FailureThrottle throttle = new FailureThrottle();
        for (int i = 0; i < FailureThrottle.MAX_ADDRESSES + 500; i++) {
            byte[] ip = {10, (byte) (i >> 16), (byte) (i >> 8), (byte) i};
            throttle.failed(InetAddress.getByAddress(ip), 0);
        }
        assertThat(throttle.size()).isEqualTo(FailureThrottle.MAX_ADDRESSES);
    }
}

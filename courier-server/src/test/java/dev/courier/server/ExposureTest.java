package dev.courier.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every combination of bind address, TLS, auth and --insecure, against the rule written out by hand. */
class ExposureTest {
    @ParameterizedTest(name = "{0} tls={1} auth={2} insecure={3} -> allowed={4}")
    @CsvSource({
            "127.0.0.1, false, false, false, true",
            "127.0.0.1, true,  false, false, true",
            "127.0.0.1, false, true,  false, true",
            "127.0.0.1, true,  true,  false, true",
            "127.0.0.1, false, false, true,  true",
            "::1,       false, false, false, true",
            "127.0.0.2, false, false, false, true",
            "0.0.0.0,   false, false, false, false",
            "0.0.0.0,   true,  false, false, false",
            "0.0.0.0,   false, true,  false, false",
            "0.0.0.0,   true,  true,  false, true",
            "0.0.0.0,   false, false, true,  true",
            "0.0.0.0,   true,  false, true,  true",
            "0.0.0.0,   false, true,  true,  true",
            "0.0.0.0,   true,  true,  true,  true",
            "::,        false, false, false, false",
            "192.0.2.1, false, true,  false, false",
            "192.0.2.1, true,  true,  false, true",
    })
    void listeningIsAllowedOnLoopbackWithTlsAndAuthOrWhenInsecure(String bind, boolean tls, boolean auth,
                                                                  boolean insecure, boolean allowed)
            throws Exception {
        InetAddress address = InetAddress.getByName(bind);
        Optional<String> refusal = Exposure.refusal(address, tls, auth, insecure);

        assertThat(refusal.isEmpty()).isEqualTo(allowed);
        refusal.ifPresent(line -> {
            assertThat(line).doesNotContain("\n").contains(address.getHostAddress())
                    .contains("--insecure");
            assertThat(line).contains("TLS (--tls-cert, --tls-key) and --auth")
                    .contains(!tls && !auth ? "both are off" : !tls ? "TLS is off" : "--auth is off");
        });
    }

    @ParameterizedTest
    @CsvSource({"127.0.0.1, false", "::1, false", "0.0.0.0, true", "192.0.2.1, true"})
    void theLegacyPortWarnsOffLoopback(String bind, boolean warns) throws Exception {
        assertThat(Exposure.legacyWarning(InetAddress.getByName(bind)).isPresent()).isEqualTo(warns);
    }

    @ParameterizedTest(name = "{0} tls={1} auth={2} insecure={3} -> warns about {4}")
    @CsvSource({
            "127.0.0.1, false, false, true,  ''",
            "0.0.0.0,   false, false, false, ''",
            "0.0.0.0,   true,  true,  true,  ''",
            "0.0.0.0,   false, false, true,  without TLS and --auth",
            "0.0.0.0,   false, true,  true,  without TLS:",
            "0.0.0.0,   true,  false, true,  without --auth",
    })
    void insecureSaysWhatItLetsThrough(String bind, boolean tls, boolean auth, boolean insecure, String missing)
            throws Exception {
        Optional<String> warning = Exposure.insecureWarning(InetAddress.getByName(bind), tls, auth, insecure);
        if (missing.isEmpty()) {
            assertThat(warning).isEmpty();
        } else {
            assertThat(warning).get().asString().startsWith("warning: --insecure: serving on ").contains(missing)
                    .doesNotContain("\n");
        }
    }
}

package dev.tether.transport.tcp.internal;

import static dev.tether.transport.tcp.TestPki.dnsName;
import static dev.tether.transport.tcp.TestPki.nodeUri;
import static dev.tether.transport.tcp.TestPki.uri;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.transport.tcp.TestPki;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which node ids a certificate proves (docs/TCP.md, "TLS and identity"): its URI subject alternative names
 * {@code tether:node:<id>} decide; the subject CN counts only when there are none. Certificates made for each case,
 * with a CN and names that differ.
 */
class CertificateIdentityTest {
    @TempDir
    static Path dir;

    private static TestPki ca;

    @BeforeAll
    static void createCa() {
        ca = new TestPki(dir, "identity");
    }

    @Test
    void aNodeUriProvesItsIdAndTheCommonNameThenCountsForNothing() {
        assertThat(CertificateIdentity.provenIds(
                        ca.issue("san-c-cn-b", "b", nodeUri("c")).x509()))
                .containsExactly("c");
    }

    @Test
    void withoutNodeUrisTheCommonNameIsProven() {
        assertThat(CertificateIdentity.provenIds(
                        ca.issue("cn-only", "b", new TestPki.AltName[0]).x509()))
                .containsExactly("b");
    }

    @Test
    void everyNodeUriIsProven() {
        assertThat(CertificateIdentity.provenIds(
                        ca.issue("two", "z", nodeUri("c"), nodeUri("d")).x509()))
                .containsExactly("c", "d");
    }

    @Test
    void otherUrisAreNoNodeNamesSoTheCommonNameStillCounts() {
        assertThat(CertificateIdentity.provenIds(
                        ca.issue("other-uri", "b", uri("urn:tether:node:x"), uri("https://x.example/"))
                                .x509()))
                .containsExactly("b");
    }

    @Test
    void aDnsNameSpelledLikeANodeUriProvesNoSuchNode() {
        assertThat(CertificateIdentity.provenIds(
                        ca.issue("dns", "b", dnsName("tether:node:x")).x509()))
                .containsExactly("b");
    }
}

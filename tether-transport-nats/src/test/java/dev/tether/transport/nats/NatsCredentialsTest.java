package dev.tether.transport.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.InvalidConfigException;
import dev.tether.NodeId;
import dev.tether.transport.nats.NatsAuthorization.NodeUser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How a node is given its NATS credentials, as units: seed files, the authorization block, and the builder's checks
 * (one authentication, identityEnforced only with per-node credentials, unusable files named).
 */
class NatsCredentialsTest {
    private static final NodeId A = NodeId.of("a.1");
    private static final NodeId B = NodeId.of("b");

    @TempDir
    Path dir;

    @Test
    void aSeedFileIsCreatedForItsOwnerOnlyAndReadBackAsTheSameUser() throws IOException {
        Path file = dir.resolve("a.nk");
        NodeUser created = NatsAuthorization.createSeedFile(A, file);

        assertThat(created.publicKey()).startsWith("U");
        assertThat(NatsAuthorization.readSeedFile(A, file)).isEqualTo(created);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-------");
        assertThat(Files.readString(file)).contains("# public key " + created.publicKey() + "\nSU");
        assertThatThrownBy(() -> NatsAuthorization.createSeedFile(A, file))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("exists already; not overwritten");
    }

    @Test
    void unusableSeedFilesAreNamedWithTheirProblemAndNeverQuoteASeed() throws IOException {
        String seed = seedOf(NatsAuthorization.createSeedFile(A, dir.resolve("good.nk")), dir.resolve("good.nk"));
        assertUnusable(dir.resolve("missing.nk"), null, "does not exist");
        assertUnusable(dir.resolve("empty.nk"), "# nothing\n\n", "holds no seed");
        assertUnusable(dir.resolve("two.nk"), seed + "\n" + seed + "\n", "holds more than one key");
        assertUnusable(dir.resolve("public.nk"), "UABC\n", "this is a public key");
        assertUnusable(dir.resolve("account.nk"), "SAABC\n", "does not hold a user seed");
        // One character inside the key changed: its 5 bits all carry data (the last character's low bits are
        // base32 padding, so changing it can leave the decoded seed intact), and the CRC-16 catches the burst.
        char c = seed.charAt(20);
        String broken = seed.substring(0, 20) + (c == 'A' ? 'B' : 'A') + seed.substring(21);
        assertUnusable(dir.resolve("broken.nk"), broken + "\n", "holds an invalid seed");
    }

    @Test
    void theAuthorizationBlockGrantsEachNodeItsOwnSubjectsOnly() {
        NodeUser a = NatsAuthorization.createSeedFile(A, dir.resolve("a.nk"));
        NodeUser b = NatsAuthorization.createSeedFile(B, dir.resolve("b.nk"));

        String block = NatsAuthorization.authorizationBlock("t", List.of(a, b));

        assertThat(block)
                .isEqualTo("authorization {\n  users = [\n"
                        + "    # tether node a.1\n    {\n      nkey: " + a.publicKey() + "\n      permissions: {\n"
                        + "        publish: { allow: [\"t.presence.a_d1\", \"t.to.*.a_d1\"] }\n"
                        + "        subscribe: { allow: [\"t.presence.*\", \"t.to.a_d1.*\"] }\n      }\n    }\n"
                        + "    # tether node b\n    {\n      nkey: " + b.publicKey() + "\n      permissions: {\n"
                        + "        publish: { allow: [\"t.presence.b\", \"t.to.*.b\"] }\n"
                        + "        subscribe: { allow: [\"t.presence.*\", \"t.to.b.*\"] }\n      }\n    }\n"
                        + "  ]\n}\n");
        assertThatThrownBy(() -> NatsAuthorization.authorizationBlock("t", List.of(a, a)))
                .hasMessageContaining("node a.1 is listed twice");
        assertThatThrownBy(() -> NatsAuthorization.authorizationBlock("t", List.of(a, new NodeUser(B, a.publicKey()))))
                .hasMessageContaining("nodes share the public key");
        assertThatThrownBy(() -> NatsAuthorization.authorizationBlock("t.*", List.of(a)))
                .hasMessageContaining("invalid subject prefix");
        assertThatThrownBy(() -> new NodeUser(A, "SUABC")).hasMessageContaining("not a NATS user public key");
    }

    @Test
    void theBuilderTakesOneAuthenticationAndIdentityEnforcedOnlyWithPerNodeCredentials() {
        Path seed = dir.resolve("a.nk");
        NatsAuthorization.createSeedFile(A, seed);

        assertThat(NatsTransport.builder().nkey(seed).identityEnforced(true).build())
                .isNotNull();
        assertThat(NatsTransport.builder()
                        .userInfo("a", "pw".toCharArray())
                        .identityEnforced(true)
                        .build())
                .isNotNull();
        assertThatThrownBy(() -> NatsTransport.builder()
                        .token("t".toCharArray())
                        .nkey(seed)
                        .build())
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage("choose one NATS authentication, not token and nkey");
        assertThatThrownBy(() -> NatsTransport.builder().identityEnforced(true).build())
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("identityEnforced needs per-node credentials")
                .hasMessageContaining("none are set");
        assertThatThrownBy(() -> NatsTransport.builder()
                        .token("t".toCharArray())
                        .identityEnforced(true)
                        .build())
                .hasMessageContaining("a token is shared by all nodes");
        assertThatThrownBy(() -> NatsTransport.builder().nkey(dir.resolve("none.nk")))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("none.nk does not exist");
        assertThatThrownBy(() -> NatsTransport.builder().credentials(dir.resolve("none.creds")))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("none.creds does not exist or cannot be read");
        assertThatThrownBy(() -> NatsTransport.builder().servers("tls://a:4222", "opentls://b:4222"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("opentls://b:4222: opentls:// accepts any server certificate");
        assertThatThrownBy(() -> NatsTransport.builder().userInfo(" ", new char[0]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("NATS user name must not be blank");
    }

    private void assertUnusable(Path file, String content, String problem) throws IOException {
        if (content != null) Files.writeString(file, content);
        String seedLine = content == null ? null : content.strip();
        assertThatThrownBy(() -> NatsAuthorization.readSeedFile(A, file))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining(problem)
                .satisfies(e -> {
                    if (seedLine != null && seedLine.startsWith("SU"))
                        assertThat(e.getMessage()).doesNotContain(seedLine);
                });
    }

    private static String seedOf(NodeUser user, Path file) throws IOException {
        for (String line : Files.readAllLines(file)) {
            if (line.startsWith("SU")) return line;
        }
        throw new AssertionError("no seed in " + file + " of " + user);
    }
}

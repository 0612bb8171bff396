package dev.tether.transport.nats.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.NodeId;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EnvelopeAndSubjectsTest {
    private static final NodeId FROM = NodeId.of("node-1.eu_west");

    @Test
    void frameRoundTripsAndItsViewSharesTheArray() throws Exception {
        ByteBuffer frame = ByteBuffer.wrap(new byte[] {9, 1, 2, 3, 9}, 1, 3);
        byte[] e = Envelope.frame(FROM, 11, 22, 33, frame);

        Envelope.Decoded d = Envelope.decode(e, e.length, 3);
        assertThat(d.kind()).isEqualTo(Envelope.Kind.FRAME);
        assertThat(d.from()).isEqualTo(FROM);
        assertThat(d.connection()).isEqualTo(11);
        assertThat(d.fromLink()).isEqualTo(22);
        assertThat(d.toLink()).isEqualTo(33);
        byte[] got = new byte[d.frame().remaining()];
        d.frame().get(got);
        assertThat(got).containsExactly(1, 2, 3);
        assertThat(frame.position()).as("the sender's buffer is untouched").isEqualTo(1);
        assertThat(e.length).isEqualTo(Envelope.headerBytes(FROM) + 3);
    }

    @Test
    void controlMessagesRoundTrip() throws Exception {
        for (Envelope.Kind k : new Envelope.Kind[] {Envelope.Kind.ANNOUNCE, Envelope.Kind.GOODBYE}) {
            byte[] e = Envelope.control(k, FROM, -5, 0, 0);
            Envelope.Decoded d = Envelope.decode(e, e.length, 0);
            assertThat(d.kind()).isEqualTo(k);
            assertThat(d.connection()).isEqualTo(-5);
            assertThat(d.frame()).isNull();
        }
        byte[] hello = Envelope.control(Envelope.Kind.HELLO, FROM, 1, 2, 0);
        assertThat(Envelope.decode(hello, hello.length, 0).fromLink()).isEqualTo(2);
    }

    @Test
    void eachMalformationIsRejectedWithItsReason() {
        byte[] good = Envelope.frame(FROM, 1, 2, 3, ByteBuffer.wrap(new byte[10]));
        assertMalformed(Arrays.copyOf(good, 4), "too short");
        assertMalformed(with(good, 0, 'X'), "bad magic");
        assertMalformed(with(good, 2, 7), "unsupported envelope version 7");
        assertMalformed(with(good, 3, 9), "unknown kind 9");
        assertMalformed(with(good, 4, 0), "node id length 0");
        assertMalformed(with(good, 4, 65), "node id length 65");
        assertMalformed(with(good, 5, ' '), "invalid character in node id");
        assertMalformed(Arrays.copyOf(good, 20), "ends inside the header");
        assertMalformed(Envelope.frame(FROM, 1, 2, 3, ByteBuffer.wrap(new byte[11])), "exceeds maxFrameBytes 10");
        assertMalformed(Envelope.frame(FROM, 0, 2, 3, ByteBuffer.allocate(1)), "without a connection session");
        assertMalformed(Envelope.frame(FROM, 1, 0, 3, ByteBuffer.allocate(1)), "FRAME with invalid link ids");
        assertMalformed(Envelope.control(Envelope.Kind.ANNOUNCE, FROM, 1, 2, 0), "ANNOUNCE with invalid link ids");
        assertMalformed(Envelope.control(Envelope.Kind.HELLO, FROM, 1, 0, 0), "HELLO with invalid link ids");
        byte[] announce = Envelope.control(Envelope.Kind.ANNOUNCE, FROM, 1, 0, 0);
        assertMalformed(Arrays.copyOf(announce, announce.length + 1), "ANNOUNCE carries 1 unexpected bytes");
    }

    @Test
    void nodeIdsBecomeDistinctSingleTokens() {
        String[] ids = {"a.b", "a_b", "a_db", "a__b", "a.d", "_", ".", "__", "_d", "-.-", "A.B.C"};
        Set<String> tokens = new HashSet<>();
        for (String id : ids) {
            String token = Subjects.encodeToken(id);
            assertThat(token).matches("[A-Za-z0-9_-]+");
            assertThat(Subjects.decodeToken(token)).isEqualTo(id);
            tokens.add(token);
        }
        assertThat(tokens).hasSize(ids.length);
        assertThat(new Subjects("org.tether").inbox(NodeId.of("n.1"), NodeId.of("a_b")))
                .isEqualTo("org.tether.to.n_d1.a__b");
        assertThatThrownBy(() -> Subjects.decodeToken("a_x")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void everySubjectEndsWithItsSendersTokenAndPermissionsGrantExactlyOnesOwn() {
        Subjects s = new Subjects("t");
        NodeId a = NodeId.of("a.1");
        NodeId b = NodeId.of("b");
        assertThat(s.presence(a)).isEqualTo("t.presence.a_d1");
        assertThat(s.inbox(b, a)).isEqualTo("t.to.b.a_d1");
        assertThat(s.publishPermissions(a)).containsExactly("t.presence.a_d1", "t.to.*.a_d1");
        assertThat(s.subscribePermissions(a)).containsExactly("t.presence.*", "t.to.a_d1.*");
        // what a publishes matches its publish permissions; what b publishes does not
        assertThat(matchesAny(s.publishPermissions(a), s.presence(a))).isTrue();
        assertThat(matchesAny(s.publishPermissions(a), s.inbox(b, a))).isTrue();
        assertThat(matchesAny(s.publishPermissions(a), s.presence(b))).isFalse();
        assertThat(matchesAny(s.publishPermissions(a), s.inbox(a, b))).isFalse();
        assertThat(matchesAny(s.publishPermissions(a), s.inbox(NodeId.of("c"), b)))
                .isFalse();
        // a receives presence and what is addressed to it, not what is addressed to b
        assertThat(matchesAny(s.subscribePermissions(a), s.presence(b))).isTrue();
        assertThat(matchesAny(s.subscribePermissions(a), s.inbox(a, b))).isTrue();
        assertThat(matchesAny(s.subscribePermissions(a), s.inbox(b, a))).isFalse();
    }

    @Test
    void identityCheckSubjectsNameASenderNoNodeHas() {
        Subjects s = new Subjects("t");
        List<String> check = s.identityCheck(0xabcL);
        assertThat(check).containsExactly("t.presence._checkabc", "t.to._checkabc._checkabc");
        for (String subject : check) {
            assertThat(s.isIdentityCheck(subject)).isTrue();
            String token = subject.substring(subject.lastIndexOf('.') + 1);
            assertThatThrownBy(() -> Subjects.decodeToken(token)).isInstanceOf(IllegalArgumentException.class);
            for (String id : new String[] {"a", "_check", ".check", "x_c"}) {
                assertThat(matchesAny(s.publishPermissions(NodeId.of(id)), subject))
                        .as(id)
                        .isFalse();
            }
        }
        assertThat(s.isIdentityCheck(s.presence(NodeId.of("_check")))).isFalse();
    }

    @Test
    void theSenderCheckAcceptsExactlyTheClaimedSendersToken() {
        String subject = "t.to.me.a__b_dc";
        int start = "t.to.me.".length();
        assertThat(Subjects.endsWithTokenOf(subject, start, NodeId.of("a_b.c"))).isTrue();
        for (String other : new String[] {"a_b", "a_b.", "a_b.cd", "a.b.c", "a__b.c", "A_b.c"}) {
            assertThat(Subjects.endsWithTokenOf(subject, start, NodeId.of(other)))
                    .as(other)
                    .isFalse();
        }
    }

    /** NATS subject matching: {@code *} is one token, {@code >} the rest. */
    private static boolean matchesAny(List<String> patterns, String subject) {
        for (String p : patterns) {
            String[] pt = p.split("\\.");
            String[] st = subject.split("\\.");
            boolean match = pt.length == st.length || (pt.length <= st.length && pt[pt.length - 1].equals(">"));
            for (int i = 0; match && i < pt.length; i++) {
                if (pt[i].equals(">")) break;
                match = pt[i].equals("*") || pt[i].equals(st[i]);
            }
            if (match) return true;
        }
        return false;
    }

    @Test
    void invalidPrefixesAreRejected() {
        for (String bad : new String[] {"", ".", "a.", ".a", "a..b", "a b", "a.*", "a.>", "x".repeat(129)}) {
            assertThatThrownBy(() -> new Subjects(bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("invalid subject prefix");
        }
        assertThat(new Subjects("a-b_c.d").presence(NodeId.of("x"))).isEqualTo("a-b_c.d.presence.x");
    }

    private static byte[] with(byte[] e, int at, int value) {
        byte[] copy = e.clone();
        copy[at] = (byte) value;
        return copy;
    }

    private static void assertMalformed(byte[] e, String reason) {
        assertThatThrownBy(() -> Envelope.decode(e, e.length, 10))
                .isInstanceOf(Envelope.MalformedException.class)
                .hasMessageContaining(reason);
    }
}

package dev.tether.transport.tcp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.NodeId;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The MEMBERS record: round trips, splitting, and every kind of bogus list. */
class MembersTest {
    private static final NodeId P = NodeId.of("p");

    @Test
    void roundTripsAndSplitsLongListsIntoBoundedRecords() {
        List<Members.Entry> many = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            many.add(new Members.Entry(NodeId.of("node-" + i), List.of("10.0." + i / 250 + "." + i % 250 + ":7001")));
        }
        Members.Entry self = new Members.Entry(P, List.of("[::1]:7001", "127.0.0.1:7001"));
        List<byte[]> records = Members.encode(self, many);
        assertThat(records)
                .hasSizeGreaterThan(1)
                .allSatisfy(r -> assertThat(r.length).isLessThan(Wire.MAX_CONTROL_BYTES));
        List<Members.Entry> back = new ArrayList<>();
        for (byte[] r : records) {
            Members.Decoded d = Members.decode(r);
            assertThat(d.self()).isEqualTo(self);
            assertThat(d.problems()).isEmpty();
            back.addAll(d.members());
        }
        assertThat(back).isEqualTo(many);
    }

    @Test
    void invalidEntriesAndAddressesAreDroppedWithAReasonAndTheRestIsKept() {
        byte[] body = record(
                entry("p", "127.0.0.1:7001"),
                3,
                entry("no spaces!", "127.0.0.1:1"),
                entry("good", "127.0.0.1:7002", "db.example:7001", "127.0.0.1:0", "127.0.0.1:99999", "[::1]:7003"),
                entry(
                        "many",
                        "1.1.1.1:1",
                        "1.1.1.1:2",
                        "1.1.1.1:3",
                        "1.1.1.1:4",
                        "1.1.1.1:5",
                        "1.1.1.1:6",
                        "1.1.1.1:7",
                        "1.1.1.1:8",
                        "1.1.1.1:9"));
        Members.Decoded d = Members.decode(body);
        assertThat(d.members())
                .containsExactly(new Members.Entry(NodeId.of("good"), List.of("127.0.0.1:7002", "[::1]:7003")));
        assertThat(d.problems())
                .hasSize(5)
                .anySatisfy(p -> assertThat(p).contains("invalid node id 'no?spaces!'"))
                .anySatisfy(p -> assertThat(p).contains("'db.example' is not an IP address"))
                .anySatisfy(p -> assertThat(p).contains("port 0 is outside 1..65535"))
                .anySatisfy(p -> assertThat(p).contains("port 99999 is outside"))
                .anySatisfy(p -> assertThat(p).contains("member many has 9 addresses, at most 8"));
    }

    @Test
    void brokenRecordsAreRefusedWhole() {
        assertThatThrownBy(() -> Members.decode(new byte[0])).hasMessageContaining("truncated");
        assertThatThrownBy(() -> Members.decode(record(entry("bad id!"), 0)))
                .hasMessageContaining("its sender's own entry is invalid");
        assertThatThrownBy(() -> Members.decode(record(entry("p"), 1025)))
                .hasMessageContaining("MEMBERS lists 1025 members, at most 1024");
        assertThatThrownBy(() -> Members.decode(record(entry("p"), 2, entry("a"))))
                .hasMessageContaining("truncated");
        byte[] trailing = record(entry("p"), 0);
        byte[] longer = java.util.Arrays.copyOf(trailing, trailing.length + 3);
        assertThatThrownBy(() -> Members.decode(longer)).hasMessageContaining("3 trailing bytes");
        // control characters never reach an id or an address
        Members.Decoded d = Members.decode(record(entry("p"), 1, entry("x\ny", "127.0.0.1:1\r")));
        assertThat(d.members()).isEmpty();
        assertThat(d.problems()).singleElement().asString().contains("x?y");
    }

    static byte[] entry(String id, String... addresses) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] i = id.getBytes(StandardCharsets.UTF_8);
        out.write(i.length);
        out.writeBytes(i);
        out.write(addresses.length);
        for (String a : addresses) {
            byte[] b = a.getBytes(StandardCharsets.UTF_8);
            out.write(b.length);
            out.writeBytes(b);
        }
        return out.toByteArray();
    }

    static byte[] record(byte[] self, int count, byte[]... entries) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(self);
        out.write(count >>> 8);
        out.write(count);
        for (byte[] e : entries) out.writeBytes(e);
        return out.toByteArray();
    }
}

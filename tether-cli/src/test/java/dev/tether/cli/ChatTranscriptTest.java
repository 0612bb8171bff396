package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The chat transcript: each message once, across reopening, with awkward text and a line cut short by a crash. */
class ChatTranscriptTest {
    @TempDir
    Path dir;

    @Test
    void aMessageIsAddedOnceAndKeptAcrossReopening() throws Exception {
        Path file = dir.resolve("t.chat");
        ChatLine hello = new ChatLine("general", "bob", 1, 1000, "hello");
        ChatLine awkward = new ChatLine("general", "bob", 2, 2000, "tab\there\nnew line \\ backslash \\t not a tab");
        try (ChatTranscript t = ChatTranscript.open(file, true)) {
            assertThat(t.add(hello)).isTrue();
            assertThat(t.add(hello)).as("a redelivery").isFalse();
            assertThat(t.add(awkward)).isTrue();
        }
        try (ChatTranscript t = ChatTranscript.open(file, false)) {
            assertThat(t.recent()).containsExactly(hello, awkward);
            assertThat(t.add(new ChatLine("general", "bob", 2, 9999, "same key")))
                    .isFalse();
            assertThat(t.add(new ChatLine("other", "bob", 2, 3000, "other channel")))
                    .isTrue();
            assertThat(t.size()).isEqualTo(3);
            assertThat(t.ranges()).as("general/bob 1-2, other/bob 2").isEqualTo(2);
        }
        assertThat(Files.readAllLines(file)).hasSize(3);
    }

    @Test
    void aLastLineCutShortByACrashIsDroppedAndOverwritten() throws Exception {
        Path file = dir.resolve("t.chat");
        try (ChatTranscript t = ChatTranscript.open(file, false)) {
            t.add(new ChatLine("general", "alice", 1, 1000, "whole"));
        }
        Files.writeString(file, "general\talice\t2\t20", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        try (ChatTranscript t = ChatTranscript.open(file, false)) {
            assertThat(t.size()).isEqualTo(1);
            assertThat(t.add(new ChatLine("general", "alice", 2, 2000, "again")))
                    .isTrue();
        }
        assertThat(Files.readString(file))
                .isEqualTo("general\talice\t1\t1000\twhole\ngeneral\talice\t2\t2000\tagain\n");
    }

    @Test
    void aPayloadCarriesItsTimeAndOtherPayloadsAreShownWhole() {
        byte[] chat = ChatLine.payload(1234, "hi there");
        assertThat(new String(chat, StandardCharsets.UTF_8)).isEqualTo("1234 hi there");
        assertThat(ChatTranscript.parse("bad line")).isNull();
        assertThat(ChatTranscript.parse("general\tbob\tx\t1\ttext")).isNull();
    }
}

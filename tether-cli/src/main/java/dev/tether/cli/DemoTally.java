package dev.tether.cli;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks what the demo's receiver printed, stream by stream: each sender's numbers must arrive 1, 2, 3...
 * A number seen again is a duplicate unless it is flagged as a redelivery (the receiver died after printing
 * it and before its acknowledgment was stored); a number that skips ahead is out of order.
 */
final class DemoTally {
    private static final Pattern LINE = Pattern.compile(
            "^\\{\"from\":\"([^\"]+)\",\"lane\":\"[^\"]*\",\"seq\":(\\d+),\"redelivered\":(true|false)");

    record Snapshot(long unique, long duplicates, long outOfOrder, long redelivered) {}

    private final Map<String, Long> highest = new HashMap<>();
    private long unique;
    private long duplicates;
    private long outOfOrder;
    private long redelivered;

    DemoTally(int senders) {
        for (int i = 1; i <= senders; i++) highest.put("sender-" + i, 0L);
    }

    synchronized void onReceiverLine(String line) {
        Matcher m = LINE.matcher(line);
        if (!m.find()) return;
        String from = m.group(1);
        long seq = Long.parseLong(m.group(2));
        boolean flagged = m.group(3).equals("true");
        long top = highest.getOrDefault(from, 0L);
        if (seq == top + 1) {
            highest.put(from, seq);
            unique++;
        } else if (seq <= top) {
            if (flagged) redelivered++;
            else duplicates++;
        } else {
            outOfOrder++;
            unique += 1;
            highest.put(from, seq);
        }
        notifyAll();
    }

    synchronized long unique() {
        return unique;
    }

    synchronized void awaitChange(long maxMillis) throws InterruptedException {
        wait(maxMillis);
    }

    synchronized Snapshot snapshot() {
        return new Snapshot(unique, duplicates, outOfOrder, redelivered);
    }
}

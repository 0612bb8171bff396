package dev.tether.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Streams the messages of one {@code tether send} to the admin endpoint: each request carries the messages that
 * arrive without a pause (stdin lines are pipelined, written while the answers for earlier ones are read), and
 * ends when the input pauses for {@link #IDLE} or ends; the next input opens the next request, after the previous
 * one is fully answered, so messages reach the node in input order. Answers are handed to {@link SendOutput} in
 * the same order. If the connection breaks, the messages without an answer are reported as in doubt and nothing
 * more is sent.
 *
 * <p>Threading: the calling thread writes requests; one thread reads the input, one reads each request's answers.
 */
final class SendStream {
    /** A pause in the input this long ends the current request. */
    static final Duration IDLE = Duration.ofSeconds(1);

    /** Larger than any node accepts (TetherConfig's upper bound of maxMessageBytes): refused without sending. */
    static final int MAX_LINE = 64 << 20;

    private static final int CHUNK_BYTES = 32 << 10;

    /**
     * Messages written but not answered yet, at most: keeps the pipeline full (the endpoint works on up to {@link
     * AdminServer#STREAM_WINDOW} at once) while bounding how many are in doubt if the node dies.
     */
    static final int WINDOW = 4 * AdminServer.STREAM_WINDOW;

    /** A line of input, or one too long to send ({@code bytes} null), or the end of the input. */
    private record Item(byte[] bytes, long length) {}

    private static final Item END = new Item(null, -1);

    private final InetSocketAddress address;
    private final String pathAndQuery;
    private final Duration answerTimeout;
    private final SendOutput output;
    private final BlockingQueue<Item> input = new ArrayBlockingQueue<>(8192);
    private volatile String inputFailure;

    SendStream(InetSocketAddress address, String pathAndQuery, Duration answerTimeout, SendOutput output) {
        this.address = address;
        this.pathAndQuery = pathAndQuery;
        this.answerTimeout = answerTimeout;
        this.output = output;
    }

    /** Reads the messages from {@code in}, one per line, on a thread of its own. */
    void readLines(InputStream in) {
        Thread t = new Thread(
                () -> {
                    try {
                        LineReader lines = new LineReader(in, MAX_LINE);
                        for (LineReader.Line l; (l = lines.next()) != null; ) put(new Item(l.bytes(), l.length()));
                    } catch (IOException e) {
                        inputFailure = "reading the input failed: " + e.getMessage();
                    } finally {
                        put(END);
                    }
                },
                "tether-send-input");
        t.setDaemon(true);
        t.start();
    }

    /** Takes {@code messages} as the input. */
    void messages(List<String> messages) {
        Thread t = new Thread(
                () -> {
                    for (String m : messages) {
                        byte[] b = m.getBytes(StandardCharsets.UTF_8);
                        put(new Item(b, b.length));
                    }
                    put(END);
                },
                "tether-send-input");
        t.setDaemon(true);
        t.start();
    }

    /** Sends everything; returns when every message is answered or in doubt, or sending stopped. */
    void run() throws InterruptedException {
        long index = 1;
        Item item = input.take();
        while (item != END) {
            if (item.bytes() == null) {
                output.result(SendResult.refused(
                        index++,
                        "a line of " + item.length() + " bytes is larger than" + " any node accepts (" + MAX_LINE
                                + " bytes)"));
                item = input.take();
                continue;
            }
            Request r = new Request(index);
            if (!r.open()) {
                output.notSentFrom(index, "no request could be made");
                return;
            }
            item = r.writeWhileInputFlows(item);
            index += r.sent;
            r.awaitAnswers();
            if (!r.settle()) {
                if (item != END) output.notSentFrom(index, "sending stopped");
                return;
            }
            if (item == null) item = input.take(); // the input paused; wait for more
        }
        if (inputFailure != null) output.commandFailure(inputFailure);
    }

    private void put(Item item) {
        try {
            input.put(item);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One request: its connection, what was written, what was answered. */
    private final class Request {
        final long start;
        /** Unanswered messages allowed: taken per message written, given back per answer. */
        final Semaphore window = new Semaphore(WINDOW);
        /** Why the connection failed; the first failure wins (later ones are its consequences). */
        final AtomicReference<String> broken = new AtomicReference<>();

        long sent;
        volatile long answered;
        volatile boolean ended;
        volatile String endNote;
        volatile String refusal;
        AdminClient client;
        OutputStream body;
        Thread reader;

        Request(long start) {
            this.start = start;
        }

        boolean open() {
            try {
                client = AdminClient.connect(address, Duration.ofSeconds(5));
                body = client.request("POST", pathAndQuery, -1);
            } catch (IOException e) {
                output.commandFailure(e.getMessage());
                return false;
            }
            reader = new Thread(this::readAnswers, "tether-send-answers");
            reader.setDaemon(true);
            reader.start();
            return true;
        }

        private boolean failed() {
            return refusal != null || broken.get() != null;
        }

        /**
         * Writes {@code first} and the items that follow it without a pause; returns the item that ended the
         * request (null after a pause, {@link #END}, a too-long line) or that could not be written.
         */
        Item writeWhileInputFlows(Item first) throws InterruptedException {
            ByteArrayOutputStream chunk = new ByteArrayOutputStream(CHUNK_BYTES * 2);
            long unflushed = 0;
            Item item = first;
            try {
                while (true) {
                    if (!window.tryAcquire()) {
                        flush(chunk, unflushed);
                        unflushed = 0;
                        while (!window.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                            if (failed()) return item;
                        }
                    }
                    chunk.write(item.bytes());
                    chunk.write('\n');
                    sent++;
                    unflushed++;
                    if (chunk.size() >= CHUNK_BYTES) {
                        chunk.writeTo(body);
                        chunk.reset();
                    }
                    item = input.poll();
                    if (item == null) {
                        flush(chunk, unflushed);
                        unflushed = 0;
                        item = input.poll(IDLE.toMillis(), TimeUnit.MILLISECONDS);
                    }
                    if (item == null || item == END || item.bytes() == null || failed()) break;
                }
                chunk.writeTo(body);
                ((HttpBody.ChunkedOut) body).finish();
                output.sent(unflushed);
            } catch (IOException e) {
                output.sent(unflushed);
                broken.compareAndSet(
                        null, "the connection to the node was lost while sending (" + e.getMessage() + ")");
                client.close();
            }
            return item;
        }

        private void flush(ByteArrayOutputStream chunk, long messages) throws IOException {
            chunk.writeTo(body);
            chunk.reset();
            client.flush();
            output.sent(messages);
        }

        void awaitAnswers() throws InterruptedException {
            reader.join();
            client.close();
        }

        /** Reports what this request left unanswered; false if sending must stop. */
        boolean settle() {
            if (refusal != null) {
                output.commandFailure(refusal);
                if (answered < sent) output.notSentFrom(start + answered, "the request was refused");
                return false;
            }
            if (answered >= sent && ended) return true;
            if (ended) {
                output.notSentFrom(start + answered, "the node ended the request: " + endNote);
                return false;
            }
            String why = broken.get() != null ? broken.get() : "the node closed the connection before answering";
            output.lost(start + answered, start + sent - 1, why);
            return false;
        }

        private void readAnswers() {
            try {
                AdminClient.Response r = client.response(answerTimeout);
                if (r.status() != 200) {
                    refusal = "the admin endpoint refused the request (HTTP " + r.status() + "): "
                            + new String(r.body().readNBytes(64 << 10), StandardCharsets.UTF_8).strip();
                    return;
                }
                LineReader lines = new LineReader(r.body(), 1 << 20);
                for (LineReader.Line l; (l = lines.next()) != null; ) {
                    String s = new String(l.bytes() == null ? new byte[0] : l.bytes(), StandardCharsets.UTF_8);
                    if (s.startsWith("end ")) {
                        int space = s.indexOf(' ', 4);
                        endNote = space < 0 ? null : s.substring(space + 1);
                        ended = true;
                        return;
                    }
                    output.result(SendResult.parse(start + answered, s));
                    answered++;
                    window.release();
                }
                broken.compareAndSet(null, "the node closed the connection before answering every message");
            } catch (AdminClient.NotAnAdminEndpoint e) {
                refusal = e.getMessage();
            } catch (SocketTimeoutException e) {
                broken.compareAndSet(null, "no answer from the node within " + answerTimeout.toMillis() + " ms");
            } catch (IOException | IllegalArgumentException e) {
                broken.compareAndSet(null, "the connection to the node was lost (" + e.getMessage() + ")");
            } finally {
                if (failed()) client.close(); // stops the writer at once
            }
        }
    }
}

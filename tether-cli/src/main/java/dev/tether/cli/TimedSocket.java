package dev.tether.cli;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * A socket whose reads and writes cannot stall forever. Reads have either a deadline for everything read until
 * it is changed (a request head must arrive whole within it, however slowly its bytes trickle in) or an idle
 * timeout per read; both end with {@link SocketTimeoutException}. A write that makes no progress for the write
 * timeout is ended by {@link #closeIfWriteStalled}, called periodically by a watchdog, since a blocking socket
 * write has no timeout of its own.
 *
 * <p>Threading: one thread reads and one thread writes; the watchdog may call {@link #closeIfWriteStalled} at any
 * time.
 */
final class TimedSocket implements AutoCloseable {
    private final Socket socket;
    private final long writeTimeoutNanos;
    private final InputStream in;
    private final OutputStream out;
    private volatile boolean answerBegun;
    private volatile long writeDeadline; // System.nanoTime() value; 0 while no write is in progress
    private long readDeadline; // 0: idle timeout per read
    private long idleNanos;

    TimedSocket(Socket socket, Duration writeTimeout) throws IOException {
        this.socket = socket;
        this.writeTimeoutNanos = writeTimeout.toNanos();
        this.in = new BufferedInputStream(new Reads(socket.getInputStream()), 16 << 10);
        this.out = new BufferedOutputStream(new Writes(socket.getOutputStream()), 16 << 10) {
            @Override
            public synchronized void write(int b) throws IOException {
                answerBegun = true;
                super.write(b);
            }

            @Override
            public synchronized void write(byte[] b, int off, int len) throws IOException {
                answerBegun = true;
                super.write(b, off, len);
            }
        };
    }

    InputStream in() {
        return in;
    }

    OutputStream out() {
        return out;
    }

    /** Whether anything was written to {@link #out}: another answer can then no longer be given. */
    boolean answerBegun() {
        return answerBegun;
    }

    /** The interim answer written to {@link #out} ({@code 100 Continue}) was flushed; the answer is still to come. */
    void interimAnswerSent() {
        answerBegun = false;
    }

    Socket socket() {
        return socket;
    }

    /** Everything read from now until the next change must arrive within {@code total}. */
    void readWithin(Duration total) {
        readDeadline = System.nanoTime() + total.toNanos();
    }

    /** From now on each read may wait up to {@code idle} for data. */
    void readIdle(Duration idle) {
        readDeadline = 0;
        idleNanos = idle.toNanos();
    }

    /** Closes the socket if a write has been blocked longer than the write timeout; for the watchdog. */
    boolean closeIfWriteStalled(long now) {
        long d = writeDeadline;
        if (d == 0 || now - d < 0) return false;
        close();
        return true;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // Closing is best effort: the peer is gone or the socket is already closed either way.
        }
    }

    private final class Reads extends InputStream {
        private final InputStream raw;

        Reads(InputStream raw) {
            this.raw = raw;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            long wait = readDeadline == 0 ? idleNanos : readDeadline - System.nanoTime();
            if (wait <= 0) throw new SocketTimeoutException("read deadline passed");
            socket.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, wait / 1_000_000)));
            return raw.read(b, off, len);
        }
    }

    private final class Writes extends OutputStream {
        private final OutputStream raw;

        Writes(OutputStream raw) {
            this.raw = raw;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            writeDeadline = System.nanoTime() + writeTimeoutNanos;
            try {
                raw.write(b, off, len);
            } finally {
                writeDeadline = 0;
            }
        }
    }
}

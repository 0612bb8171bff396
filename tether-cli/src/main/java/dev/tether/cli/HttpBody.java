package dev.tether.cli;

import java.io.EOFException;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * HTTP/1.1 message bodies as streams: one of a declared length, and chunked transfer coding in both directions.
 * Not thread-safe; one reader or writer at a time.
 */
final class HttpBody {
    private HttpBody() {}

    /** The body that {@code head} announces on {@code in}: chunked, of a Content-Length, or empty. */
    static InputStream of(HttpHead head, InputStream in) throws HttpError {
        if (head.chunked()) return new Chunked(in);
        long n = head.contentLength();
        return new Fixed(in, Math.max(0, n));
    }

    /** Exactly {@code length} bytes of the underlying stream; ending early is an error, not an end. */
    static final class Fixed extends InputStream {
        private final InputStream in;
        private long left;

        Fixed(InputStream in, long length) {
            this.in = in;
            this.left = length;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left == 0) return -1;
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n < 0) throw new EOFException("the connection closed with " + left + " body bytes missing");
            left -= n;
            return n;
        }
    }

    /** A chunked body: chunk sizes in hex, then data; a chunk of size 0 (and optional trailers) ends it. */
    static final class Chunked extends InputStream {
        private static final int MAX_SIZE_LINE = 1024;
        private final InputStream in;
        private long left;
        private boolean done;

        Chunked(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (done) return -1;
            if (left == 0) {
                left = nextChunkSize();
                if (left == 0) {
                    done = true;
                    while (!line().isEmpty()) {
                        // trailer fields carry nothing the admin endpoint uses
                    }
                    return -1;
                }
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n < 0) throw new EOFException("the connection closed inside a chunk");
            left -= n;
            if (left == 0 && !line().isEmpty()) throw new HttpError(400, "chunk not followed by CRLF");
            return n;
        }

        private long nextChunkSize() throws IOException {
            String l = line();
            int semicolon = l.indexOf(';');
            String hex = (semicolon >= 0 ? l.substring(0, semicolon) : l).trim();
            try {
                long size = Long.parseLong(hex, 16);
                if (size >= 0) return size;
            } catch (NumberFormatException e) {
                // named below
            }
            throw new HttpError(400, "invalid chunk size: '" + l + "'");
        }

        private String line() throws IOException {
            StringBuilder s = new StringBuilder();
            for (int c = in.read(); c != '\n'; c = in.read()) {
                if (c < 0) throw new EOFException("the connection closed inside the chunked body");
                if (s.length() >= MAX_SIZE_LINE) throw new HttpError(400, "chunk size line too long");
                if (c != '\r') s.append((char) c);
            }
            return s.toString();
        }
    }

    /**
     * Writes chunked transfer coding: each {@link #write(byte[], int, int)} is one chunk, so callers write through a
     * buffer; {@link #finish} writes the last chunk and flushes, without closing the connection.
     */
    static final class ChunkedOut extends FilterOutputStream {
        private static final byte[] CRLF = {'\r', '\n'};
        private boolean finished;

        ChunkedOut(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (finished) throw new IOException("chunked body already finished");
            if (len == 0) return; // a chunk of size 0 would end the body
            out.write(Integer.toHexString(len).getBytes(StandardCharsets.US_ASCII));
            out.write(CRLF);
            out.write(b, off, len);
            out.write(CRLF);
        }

        void finish() throws IOException {
            if (finished) return;
            finished = true;
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }

        @Override
        public void close() throws IOException {
            finish();
        }
    }
}

package dev.tether.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Splits a byte stream into lines ending with LF (a CR before it is dropped; a last line without LF counts),
 * holding at most {@code maxLine} bytes of a line: a longer line is skipped to its end and reported by length
 * instead, so that one oversize line costs no more memory than a permitted one. Not thread-safe.
 */
final class LineReader {
    /** A line, or the length of a line too long to keep ({@code bytes} null). */
    record Line(byte[] bytes, long length) {}

    private final InputStream in;
    private final int maxLine;
    private final byte[] buf = new byte[64 << 10];
    private int pos;
    private int end;

    LineReader(InputStream in, int maxLine) {
        this.in = in;
        this.maxLine = maxLine;
    }

    /** The next line, or null at the end of the stream. */
    Line next() throws IOException {
        byte[] line = new byte[Math.min(maxLine + 1, 256)];
        int n = 0;
        long length = 0;
        boolean any = false;
        while (true) {
            if (pos == end && !fill()) {
                if (!any) return null;
                return finish(line, n, length);
            }
            any = true;
            int start = pos;
            while (pos < end && buf[pos] != '\n') pos++;
            int chunk = pos - start;
            length += chunk;
            if (length <= maxLine + 1L) {
                if (n + chunk > line.length)
                    line = Arrays.copyOf(line, Math.min(maxLine + 1, Math.max(n + chunk, 2 * line.length)));
                System.arraycopy(buf, start, line, n, chunk);
                n += chunk;
            }
            if (pos < end) {
                pos++; // the LF
                return finish(line, n, length);
            }
        }
    }

    private Line finish(byte[] line, int n, long length) {
        if (length > 0 && length <= maxLine + 1L && line[n - 1] == '\r') {
            n--;
            length--;
        }
        if (length > maxLine) return new Line(null, length);
        return new Line(Arrays.copyOf(line, n), length);
    }

    private boolean fill() throws IOException {
        int r = in.read(buf, 0, buf.length);
        if (r <= 0) return false;
        pos = 0;
        end = r;
        return true;
    }
}

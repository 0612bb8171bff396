package dev.tether.transport.tcp;

import dev.tether.transport.tcp.internal.Hello;
import dev.tether.transport.tcp.internal.Wire;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;

/** A hand-driven client that writes raw bytes to a transport's listener, for handshake and garbage tests. */
final class RawClient implements AutoCloseable {
    private final Socket socket;

    RawClient(InetSocketAddress to) throws IOException {
        socket = new Socket();
        socket.connect(to, 10_000);
        socket.setSoTimeout(30_000);
    }

    /** The preamble and a HELLO as a dialer named {@code id}, announcing {@code maxFrameBytes}. */
    static byte[] dialerHello(String id, int maxFrameBytes) {
        return hello(Wire.FLAG_DIALER, id, maxFrameBytes);
    }

    /** The CONFIRM record a dialer sends after the acceptor's ACCEPT. */
    static byte[] confirm() {
        return new byte[] {0, 0, 0, 1, Wire.CONFIRM};
    }

    /** Reads the handshake, expects ACCEPT and confirms it; the connection is then up at the server. */
    RawClient completeHandshake() throws IOException {
        int verdict = readHandshake();
        if (verdict != Wire.ACCEPT) throw new IOException("expected ACCEPT, got record type " + verdict);
        return write(confirm());
    }

    static byte[] hello(int flags, String id, int maxFrameBytes) {
        ByteBuf b = Wire.preambleAndHello(
                UnpooledByteBufAllocator.DEFAULT, new Hello(flags, maxFrameBytes, new byte[Wire.NONCE_BYTES], id));
        try {
            return ByteBufUtil.getBytes(b);
        } finally {
            b.release();
        }
    }

    RawClient write(byte[] bytes) throws IOException {
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
        return this;
    }

    /** Reads the server's preamble and HELLO, then its verdict; returns the verdict's record type. */
    int readHandshake() throws IOException {
        DataInputStream in = new DataInputStream(socket.getInputStream());
        in.readFully(new byte[Wire.PREAMBLE_BYTES]);
        in.readFully(new byte[in.readInt()]);
        byte[] verdict = new byte[in.readInt()];
        in.readFully(verdict);
        return verdict[0];
    }

    /** Reads the server's preamble and HELLO, and nothing more. */
    RawClient skipServerHello() throws IOException {
        DataInputStream in = new DataInputStream(socket.getInputStream());
        in.readFully(new byte[Wire.PREAMBLE_BYTES]);
        in.readFully(new byte[in.readInt()]);
        return this;
    }

    /** Reads one handshake record; returns its type byte followed by its body. */
    byte[] readRecord() throws IOException {
        DataInputStream in = new DataInputStream(socket.getInputStream());
        byte[] record = new byte[in.readInt()];
        in.readFully(record);
        return record;
    }

    /** A handshake record as sent: its length, then {@code typeAndBody}. */
    static byte[] record(byte[] typeAndBody) {
        return ByteBuffer.allocate(Wire.LENGTH_BYTES + typeAndBody.length)
                .putInt(typeAndBody.length)
                .put(typeAndBody)
                .array();
    }

    /** After the handshake: reads records until the server closes; returns the heartbeats among them. */
    int heartbeatsUntilClosed() throws IOException {
        DataInputStream in = new DataInputStream(socket.getInputStream());
        int heartbeats = 0;
        try {
            while (true) {
                int length = in.readInt();
                if (length == Wire.HEARTBEAT) heartbeats++;
                else if (length == Wire.CONTROL) in.readFully(new byte[in.readInt()]); // a member list
                else in.readFully(new byte[length]);
            }
        } catch (EOFException | SocketException closed) {
            return heartbeats;
        }
    }

    /** Reads until the server closes the connection; returns false if it is still open after the timeout. */
    boolean awaitClosedByServer() throws IOException {
        InputStream in = socket.getInputStream();
        byte[] sink = new byte[4096];
        try {
            while (in.read(sink) >= 0) {
                // discard what the server says before it closes
            }
            return true;
        } catch (EOFException | SocketException e) {
            return true; // reset by the server
        } catch (java.net.SocketTimeoutException e) {
            return false;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}

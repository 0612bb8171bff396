package dev.tether.transport.tcp;

import dev.tether.transport.tcp.internal.Wire;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Seeded generator of byte streams for fuzzing the TCP wire decoder: valid client streams (preamble, HELLO,
 * the ACCEPT for a decoder that dialed or the CONFIRM for one that accepted, then frames, heartbeats and member
 * lists) and mutations of them (bit flips, truncation,
 * changed length prefixes, splices of two streams, inserted and deleted bytes, garbage).
 */
final class WireFuzz {
    /** A generated stream, the frames a correct decoder delivers from it if it is valid, and its mutation. */
    record Input(byte[] bytes, List<byte[]> frames, String mutation) {
        boolean valid() {
            return mutation.equals("none");
        }
    }

    private final Random random;
    private final String peerId;
    private final int maxFrameBytes;

    WireFuzz(Random random, String peerId, int maxFrameBytes) {
        this.random = random;
        this.peerId = peerId;
        this.maxFrameBytes = maxFrameBytes;
    }

    /**
     * The stream a decoder receives from its peer: as the acceptor (the peer dialed and confirms) or as the
     * dialer (the peer accepted and sent ACCEPT); one in eight is left valid, the others are mutated.
     */
    Input next(boolean decoderDialed) {
        List<Integer> recordStarts = new ArrayList<>();
        List<byte[]> frames = new ArrayList<>();
        byte[] valid = valid(decoderDialed, recordStarts, frames);
        int kind = random.nextInt(8);
        return switch (kind) {
            case 0 -> new Input(valid, frames, "none");
            case 1 -> new Input(flipBits(valid), frames, "bit flips");
            case 2 -> new Input(Arrays.copyOf(valid, random.nextInt(valid.length)), frames, "truncation");
            case 3 -> new Input(changeLength(valid, recordStarts), frames, "length change");
            case 4 ->
                new Input(splice(valid, valid(decoderDialed, new ArrayList<>(), new ArrayList<>())), frames, "splice");
            case 5 -> new Input(insert(valid), frames, "insertion");
            case 6 -> new Input(delete(valid), frames, "deletion");
            default -> new Input(garbage(valid), frames, "garbage");
        };
    }

    private byte[] valid(boolean decoderDialed, List<Integer> recordStarts, List<byte[]> frames) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] hello = RawClient.hello(decoderDialed ? 0 : Wire.FLAG_DIALER, peerId, maxFrameBytes);
        recordStarts.add(Wire.PREAMBLE_BYTES);
        out.writeBytes(hello);
        recordStarts.add(out.size());
        out.writeBytes(decoderDialed ? new byte[] {0, 0, 0, 1, Wire.ACCEPT} : RawClient.confirm());
        int count = random.nextInt(6);
        for (int i = 0; i < count; i++) {
            recordStarts.add(out.size());
            if (random.nextInt(10) == 0) {
                out.writeBytes(ByteBuffer.allocate(4).putInt(Wire.HEARTBEAT).array());
                continue;
            }
            if (random.nextInt(6) == 0) {
                out.writeBytes(members());
                continue;
            }
            int size = random.nextInt(20) == 0 ? maxFrameBytes : random.nextInt(65);
            byte[] frame = new byte[size];
            random.nextBytes(frame);
            frames.add(frame);
            out.writeBytes(ByteBuffer.allocate(4).putInt(size).array());
            out.writeBytes(frame);
        }
        return out.toByteArray();
    }

    /** A valid MEMBERS control record: the peer itself, then a few members (docs/TCP.md, "Member lists"). */
    byte[] members() {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(Wire.CONTROL_MEMBERS);
        entry(body, peerId);
        int n = random.nextInt(4);
        body.write(0);
        body.write(n);
        for (int i = 0; i < n; i++) entry(body, "m" + random.nextInt(5));
        byte[] b = body.toByteArray();
        return ByteBuffer.allocate(8 + b.length)
                .putInt(Wire.CONTROL)
                .putInt(b.length)
                .put(b)
                .array();
    }

    private void entry(ByteArrayOutputStream out, String id) {
        out.write(id.length());
        out.writeBytes(id.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        int addresses = random.nextInt(3);
        out.write(addresses);
        for (int i = 0; i < addresses; i++) {
            byte[] a = ("127.0.0." + (1 + random.nextInt(9)) + ":" + (7000 + random.nextInt(100)))
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            out.write(a.length);
            out.writeBytes(a);
        }
    }

    private byte[] flipBits(byte[] in) {
        byte[] out = in.clone();
        int flips = 1 + random.nextInt(8);
        for (int i = 0; i < flips; i++) out[random.nextInt(out.length)] ^= (byte) (1 << random.nextInt(8));
        return out;
    }

    private byte[] changeLength(byte[] in, List<Integer> recordStarts) {
        byte[] out = in.clone();
        int at = recordStarts.get(random.nextInt(recordStarts.size()));
        int original = ByteBuffer.wrap(out, at, 4).getInt();
        int[] choices = {
            -2,
            -3,
            Wire.CONTROL,
            Wire.MAX_CONTROL_BYTES + 1,
            Wire.HEARTBEAT,
            Integer.MIN_VALUE,
            0,
            maxFrameBytes,
            maxFrameBytes + 1,
            Integer.MAX_VALUE,
            original + 1,
            original - 1,
            Wire.MAX_HANDSHAKE_RECORD + 1,
            random.nextInt()
        };
        ByteBuffer.wrap(out, at, 4).putInt(choices[random.nextInt(choices.length)]);
        return out;
    }

    private byte[] splice(byte[] first, byte[] second) {
        int cut = random.nextInt(first.length + 1);
        int from = random.nextInt(second.length + 1);
        byte[] out = Arrays.copyOf(first, cut + second.length - from);
        System.arraycopy(second, from, out, cut, second.length - from);
        return out;
    }

    private byte[] insert(byte[] in) {
        byte[] extra = new byte[1 + random.nextInt(16)];
        random.nextBytes(extra);
        int at = random.nextInt(in.length + 1);
        byte[] out = new byte[in.length + extra.length];
        System.arraycopy(in, 0, out, 0, at);
        System.arraycopy(extra, 0, out, at, extra.length);
        System.arraycopy(in, at, out, at + extra.length, in.length - at);
        return out;
    }

    private byte[] delete(byte[] in) {
        int from = random.nextInt(in.length);
        int to = Math.min(in.length, from + 1 + random.nextInt(16));
        byte[] out = new byte[in.length - (to - from)];
        System.arraycopy(in, 0, out, 0, from);
        System.arraycopy(in, to, out, from, in.length - to);
        return out;
    }

    /** Random bytes, half of the time after a valid preamble so the decoder gets past the magic. */
    private byte[] garbage(byte[] valid) {
        byte[] out = new byte[random.nextInt(256)];
        random.nextBytes(out);
        if (random.nextBoolean() && out.length >= Wire.PREAMBLE_BYTES) {
            System.arraycopy(valid, 0, out, 0, Wire.PREAMBLE_BYTES);
        }
        return out;
    }
}

package dev.tether.compression;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

/** The compressible payloads both ends of the interoperation test send and check: JSON-like orders, by index. */
final class Payloads {
    static final int SIZE = 4096;

    private Payloads() {}

    static byte[] order(int i) {
        Random rnd = new Random(i);
        StringBuilder b = new StringBuilder("[");
        while (b.length() < SIZE) {
            b.append("{\"orderId\":")
                    .append(100_000 + rnd.nextInt(900_000))
                    .append(",\"customer\":\"customer-")
                    .append(rnd.nextInt(50))
                    .append("\",\"status\":\"NEW\",\"currency\":\"EUR\",\"items\":[{\"sku\":\"SKU-")
                    .append(1000 + rnd.nextInt(20))
                    .append("\",\"quantity\":1,\"price\":12.50}]},");
        }
        return Arrays.copyOf(b.toString().getBytes(StandardCharsets.UTF_8), SIZE);
    }
}

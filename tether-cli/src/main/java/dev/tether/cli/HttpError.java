package dev.tether.cli;

import java.io.IOException;

/** A request the admin endpoint refuses, with the HTTP status that says why (400, 408, 411, 413, 431, ...). */
final class HttpError extends IOException {
    private static final long serialVersionUID = 1L;

    private final int status;

    HttpError(int status, String message) {
        super(message);
        this.status = status;
    }

    int status() {
        return status;
    }
}

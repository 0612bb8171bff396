package dev.tether.internal.engine;

/**
 * Where delivery of an inbound stream ({@link InStream}) stands. {@code READY | BACKING_OFF (due) -> RUN_OUT} when a run is handed out; {@code RUN_OUT
 * -> READY} when it reports; {@code READY -> BACKING_OFF} after a failure with attempts left, {@code READY ->
 * BLOCKED} after the last one under {@code FailurePolicy.BLOCK}; {@code BACKING_OFF -> READY} when a message is
 * settled without processing; a restart ends {@code BACKING_OFF} and {@code BLOCKED}, while a run still out
 * stays out until it reports.
 */
enum StreamDelivery {
    READY,
    RUN_OUT,
    BACKING_OFF,
    BLOCKED;

    /** Whether {@code this -> next} is one of the transitions above; every change of state goes through it. */
    boolean mayBecome(StreamDelivery next) {
        return switch (this) {
            case READY -> true;
            case RUN_OUT, BLOCKED -> next == READY;
            case BACKING_OFF -> next == READY || next == RUN_OUT;
        };
    }
}

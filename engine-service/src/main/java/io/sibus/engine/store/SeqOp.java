package io.sibus.engine.store;

/** Deletes messages (acknowledged, expired) or clears their locks (released), by sequence. */
public final class SeqOp extends WriteOp<Void> {
  /** What to do to the messages. */
  public enum Kind {
    DELETE,
    UNLOCK
  }

  final Kind kind;
  final long[] seqs;

  public SeqOp(Kind kind, long... seqs) {
    this.kind = kind;
    this.seqs = seqs;
  }
}

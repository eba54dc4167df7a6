package io.sibus.engine.streams;

import io.sibus.datastore.Reliability;
import io.sibus.datastore.StreamOut;
import java.util.UUID;

/** An outgoing stream as its sender thread knows it. Confined to that thread, but for reads. */
final class StreamState {
  final String target;
  final Reliability reliability;
  volatile UUID streamId;
  volatile long nextTick;
  volatile long acked;
  volatile boolean handshaken;

  /** The receiver is ahead of this (restored) store: nothing is sent until a flush. */
  volatile boolean held;

  StreamState(String target, Reliability reliability) {
    this.target = target;
    this.reliability = reliability;
  }

  void load(StreamOut row) {
    streamId = row.streamId();
    nextTick = row.nextTick();
    acked = row.ackedPrefix();
  }

  StreamOut row() {
    return new StreamOut(target, reliability, streamId, nextTick, acked);
  }

  String key() {
    return key(target, reliability);
  }

  static String key(String target, Reliability reliability) {
    return target + "/" + reliability;
  }

  @Override
  public String toString() {
    return streamId + " to messaging engine " + target + " (" + reliability + ")";
  }
}

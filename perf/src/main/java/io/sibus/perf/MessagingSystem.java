package io.sibus.perf;

/**
 * A messaging system under load, as the benchmark sees it: producers that send one message at a
 * time and wait until it is safely stored, and consumers that take messages and acknowledge them.
 * One {@link Workload} drives every system the same way, so their figures compare.
 */
interface MessagingSystem {
  /** A new producer, used by one thread. */
  Sender sender() throws Exception;

  /** A new consumer, used by one thread. */
  Receiver receiver() throws Exception;

  /** Removes what the consumers of the last run left, so that the next run starts empty. */
  void empty() throws Exception;

  /** One producer's connection. */
  @FunctionalInterface
  interface Sender extends AutoCloseable {
    /** Sends {@code body}; returns once the system has stored it durably, throws if it did not. */
    void send(byte[] body) throws Exception;

    @Override
    default void close() throws Exception {}
  }

  /** One consumer's connection. */
  @FunctionalInterface
  interface Receiver extends AutoCloseable {
    /**
     * Takes the messages available now (waiting a little when there are none), reports each body
     * and each acknowledgement, and returns once the acknowledgements are stored.
     */
    void receive(Deliveries deliveries) throws Exception;

    @Override
    default void close() throws Exception {}
  }

  /** What a consumer reports to the run. */
  interface Deliveries {
    /** A message arrived (the run reads its send time from the body). */
    void delivered(byte[] body);

    /** {@code count} messages are acknowledged and will not be delivered again. */
    void acknowledged(int count);

    /** An acknowledgement failed. */
    void failed();
  }
}

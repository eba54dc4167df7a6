package io.sibus.perf;

/**
 * A messaging system under load, as the benchmark sees it: producers that send one message at a
 * time and wait until it is safely stored, and consumers that take messages and acknowledge them.
 * One {@link Workload} drives every system the same way, so their figures compare.
 */
interface MessagingSystem extends AutoCloseable {
  /**
   * How long a consumer that took less than a full batch waits before it takes again, so that its
   * next take is fuller. Each take costs the system work of its own (for the database limit, a scan
   * of the index past the rows deleted before it; for sibus, a receive and an acknowledgement
   * request, a delivery lock and a delete): with 4 consumers polling a drained queue every
   * millisecond, the limit's consumers used more of the database than its producers did, and
   * waiting 5 ms raised its group-commit rate at 16 producers from about 5,500 to 8,000–14,000
   * sends/s, and sibus's maximum by 15–20%. It adds at most this much to the end-to-end latency.
   */
  int CONSUMER_LINGER_MILLIS = 5;

  /** The system's name in the report. */
  String name();

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

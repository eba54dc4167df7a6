package io.sibus.k8s;

/**
 * Hands out unique loopback addresses {@code 127.<second>.x.y}, as a cluster's IPAM hands out pod
 * and Service addresses. On Linux the whole of 127.0.0.0/8 is local without any configuration, so
 * every pod and every Service can have an address of its own and listen on the same port as the
 * others. Addresses ending in .0 or .255 are skipped: some tools take them for network or broadcast
 * addresses. Addresses are never reused, so a restarted pod never gets a dead pod's address.
 * Thread-safe.
 */
public final class IpAllocator {
  private static final int FIRST_HOST = 1;
  private static final int LAST_HOST = 254;

  private final int secondOctet;
  private int third;
  private int fourth = FIRST_HOST;

  /**
   * @param secondOctet the second octet of every address, 1 to 254 (127.0.x.y holds 127.0.0.1,
   *     which other local services use)
   */
  public IpAllocator(int secondOctet) {
    if (secondOctet < 1 || secondOctet > 254) {
      throw new IllegalArgumentException("second octet must be 1..254: " + secondOctet);
    }
    this.secondOctet = secondOctet;
  }

  /** The next unused address, such as {@code 127.20.0.1}; fails when all 65,024 are used. */
  public synchronized String next() {
    if (third > 255) {
      throw new IllegalStateException("no loopback address left in 127." + secondOctet + ".0.0/16");
    }
    String ip = "127." + secondOctet + "." + third + "." + fourth;
    if (++fourth > LAST_HOST) {
      fourth = FIRST_HOST;
      third++;
    }
    return ip;
  }
}

package io.sibus.cli;

import io.sibus.local.MemberProcess;
import java.io.PrintWriter;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What {@code sibus up} prints once the bus runs. The line {@code engine <name>: <urls>} is part of
 * the contract (scripts look for it); the rest is for people.
 */
final class UpReport {
  private UpReport() {}

  static void print(PrintWriter out, LocalBus bus, MemberProcess active) {
    List<MemberProcess> members = bus.members();
    String urls = members.stream().map(MemberProcess::url).collect(Collectors.joining(","));
    String destination = active.url() + "/api/v1/destinations/" + LocalBus.QUEUE;
    out.println();
    out.println("bus " + LocalBus.BUS + " is running (work directory " + bus.work() + ")");
    out.println("engine " + LocalBus.ENGINE + ": " + urls);
    for (MemberProcess member : members) {
      out.printf(
          "  member %s %s %s (log %s)%n",
          member.name(), member.url(), member.reportedState(), member.logFile());
    }
    out.println("postgres: " + bus.jdbcUrl() + " (user postgres, no password)");
    out.println("bus config: " + bus.configFile());
    out.println("queue " + LocalBus.QUEUE + " on engine " + LocalBus.ENGINE);
    out.println();
    out.println("Send and receive with curl (on the active member):");
    out.println(
        "  curl -sS -X POST -H 'Content-Type: text/plain' --data-binary 'hello' "
            + destination
            + "/messages");
    out.println("  curl -sS -X POST '" + destination + "/receipts?max=1&waitMs=5000'");
    out.println("  curl -sS -X DELETE " + destination + "/receipts/<receipt from the answer>");
    out.println("or with the sibus command (any member; it finds the active one):");
    out.println(
        "  ./sibus send --url " + urls + " --destination " + LocalBus.QUEUE + " --body hello");
    out.println("  ./sibus receive --url " + urls + " --destination " + LocalBus.QUEUE);
    out.println("  ./sibus status --url " + urls);
    out.println();
    out.println("Press Ctrl-C to stop the members and PostgreSQL.");
    out.flush();
  }
}

package io.sibus.perf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDate;

/** Appends a comparison to the report (markdown) and writes its chart beside the report. */
final class CompareReport {
  private CompareReport() {}

  /**
   * Appends the section to {@code report} and writes the chart as {@code <report
   * name>-compare-<date>.svg} in the same directory; returns the chart's path.
   */
  static Path append(Path report, CompareTable table, String command, String load)
      throws IOException {
    LocalDate today = LocalDate.now();
    Path directory = report.toAbsolutePath().getParent();
    Files.createDirectories(directory);
    Path chart = chartFile(report, today);
    Files.writeString(chart, CompareChart.svg(table, load));
    StringBuilder text = new StringBuilder();
    text.append("\n### `sibus perf --compare` — ").append(today).append("\n\n");
    text.append("Command: `").append(command).append("` (").append(load).append(").\n\n");
    table.setup().forEach(line -> text.append("- ").append(line).append('\n'));
    text.append('\n').append(table.measurements()).append("\n\n");
    text.append(table.ratios()).append("\n\n");
    text.append("![")
        .append(CompareChart.title(table))
        .append("](")
        .append(chart.getFileName())
        .append(")\n");
    Files.writeString(report, text, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    return chart;
  }

  /** A new file name per comparison: a second one on the same day does not replace the first. */
  static Path chartFile(Path report, LocalDate date) {
    String name = report.getFileName().toString();
    int dot = name.lastIndexOf('.');
    String base = (dot > 0 ? name.substring(0, dot) : name) + "-compare-" + date;
    Path chart = report.resolveSibling(base + ".svg");
    for (int n = 2; Files.exists(chart); n++) {
      chart = report.resolveSibling(base + "-" + n + ".svg");
    }
    return chart;
  }
}

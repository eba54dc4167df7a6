package io.sibus.perf;

import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;

/**
 * A bar chart (SVG) of the comparison: sent/s of each system, grouped by producer count. Written by
 * hand so that the report needs no plotting library; any browser or Markdown viewer shows it.
 */
final class CompareChart {
  private static final String[] COLOURS = {
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#b07aa1"
  };
  private static final int BAR = 28;
  private static final int GROUP_GAP = 40;
  private static final int LEFT = 70;
  private static final int PLOT_HEIGHT = 260;
  private static final int LEGEND_LINE = 18;

  private CompareChart() {}

  /** The chart of {@code table}, with the load ({@code subtitle}) under the title. */
  static String svg(CompareTable table, String subtitle) {
    List<String> systems = table.systems();
    List<Integer> counts = List.copyOf(table.producerCounts());
    double max = table.rows().stream().mapToDouble(CompareTable.Row::sentPerSecond).max().orElse(1);
    double step = niceStep(max / 5);
    double top = Math.max(step, Math.ceil(max / step) * step);
    int groupWidth = systems.size() * BAR + GROUP_GAP;
    int plotTop = 56 + systems.size() * LEGEND_LINE;
    // About 6 pixels per character of the 11-pixel subtitle, so that it is not cut off.
    int width = Math.max(LEFT + counts.size() * groupWidth + 20, LEFT + subtitle.length() * 6 + 20);
    int height = plotTop + PLOT_HEIGHT + 50;
    StringBuilder svg = new StringBuilder();
    svg.append(
        String.format(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " font-family=\"sans-serif\" font-size=\"12\">\n"
                + "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
                + "<text x=\"%d\" y=\"20\" font-size=\"14\">%s</text>\n"
                + "<text x=\"%d\" y=\"36\" font-size=\"11\" fill=\"#555\">%s</text>\n",
            width, height, LEFT, title(table), LEFT, escape(subtitle)));
    legend(svg, systems, LEFT, 48);
    axis(svg, plotTop, top, step, width);
    for (int g = 0; g < counts.size(); g++) {
      int x0 = LEFT + GROUP_GAP / 2 + g * groupWidth;
      for (int s = 0; s < systems.size(); s++) {
        OptionalDouble sent = table.meanSentPerSecond(systems.get(s), counts.get(g));
        if (sent.isPresent()) {
          bar(svg, x0 + s * BAR, plotTop, sent.getAsDouble(), top, COLOURS[s % 6]);
        }
      }
      svg.append(
          String.format(
              "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%d producers</text>\n",
              x0 + systems.size() * BAR / 2, plotTop + PLOT_HEIGHT + 20, counts.get(g)));
    }
    return svg.append("</svg>\n").toString();
  }

  static String title(CompareTable table) {
    return table.rounds() > 1
        ? "mean sent/s of " + table.rounds() + " rounds, per system and producer count"
        : "sent/s per system and producer count";
  }

  private static void legend(StringBuilder svg, List<String> systems, int x, int y) {
    for (int s = 0; s < systems.size(); s++) {
      int line = y + s * LEGEND_LINE;
      svg.append(
          String.format(
              "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>"
                  + "<text x=\"%d\" y=\"%d\">%s</text>\n",
              x, line, COLOURS[s % 6], x + 18, line + 11, escape(systems.get(s))));
    }
  }

  private static void axis(StringBuilder svg, int plotTop, double top, double step, int width) {
    for (double v = 0; v <= top + step / 2; v += step) {
      int y = plotTop + PLOT_HEIGHT - (int) Math.round(v / top * PLOT_HEIGHT);
      svg.append(
          String.format(
              "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#ddd\"/>"
                  + "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>\n",
              LEFT, y, width - 10, y, LEFT - 6, y + 4, number(v)));
    }
    svg.append(
        String.format(
            "<text x=\"14\" y=\"%d\" transform=\"rotate(-90 14 %d)\" text-anchor=\"middle\">"
                + "sent/s</text>\n",
            plotTop + PLOT_HEIGHT / 2, plotTop + PLOT_HEIGHT / 2));
  }

  private static void bar(
      StringBuilder svg, int x, int plotTop, double value, double top, String colour) {
    int h = (int) Math.round(value / top * PLOT_HEIGHT);
    int y = plotTop + PLOT_HEIGHT - h;
    svg.append(
        String.format(
            "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>"
                + "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"10\">%s</text>\n",
            x + 2, y, BAR - 4, h, colour, x + BAR / 2, y - 4, number(value)));
  }

  /** A step of 1, 2 or 5 times a power of ten, near {@code rough}: round axis labels. */
  static double niceStep(double rough) {
    if (rough <= 0) {
      return 1;
    }
    double power = Math.pow(10, Math.floor(Math.log10(rough)));
    double mantissa = rough / power;
    double nice = mantissa <= 1 ? 1 : mantissa <= 2 ? 2 : mantissa <= 5 ? 5 : 10;
    return nice * power;
  }

  private static String number(double v) {
    return String.format(Locale.ROOT, "%.0f", v);
  }

  private static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}

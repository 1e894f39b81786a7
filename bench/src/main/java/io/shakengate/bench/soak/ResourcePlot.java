package io.shakengate.bench.soak;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToLongFunction;

/** The soak's resource curves as one PNG: a panel per metric, a line per appliance process (headless AWT). */
final class ResourcePlot {
    private static final Color[] COLOURS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
        new Color(0xff7f0e), new Color(0x9467bd), new Color(0x8c564b)};

    private ResourcePlot() {
    }

    static void write(List<ResourceSampler.Sample> samples, Path png) throws IOException {
        System.setProperty("java.awt.headless", "true");
        String[] titles = {"heap after full GC (MiB)", "Netty direct memory (MiB)", "open file descriptors", "threads"};
        List<ToLongFunction<ResourceSampler.Sample>> values = List.of(ResourceSampler.Sample::heapAfterGc,
                ResourceSampler.Sample::nettyDirect, ResourceSampler.Sample::fds, ResourceSampler.Sample::threads);
        double[] scale = {1.0 / (1 << 20), 1.0 / (1 << 20), 1, 1};
        int w = 900;
        int h = 220;
        BufferedImage img = new BufferedImage(w, h * titles.length, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        double tMax = samples.stream().mapToDouble(ResourceSampler.Sample::t).max().orElse(1);
        Map<String, List<ResourceSampler.Sample>> lines = new TreeMap<>();
        for (ResourceSampler.Sample s : samples) {
            lines.computeIfAbsent(s.app() + " " + s.pid(), k -> new java.util.ArrayList<>()).add(s);
        }
        for (int panel = 0; panel < titles.length; panel++) {
            int top = panel * h;
            int left = 70;
            int plotW = w - left - 20;
            int plotH = h - 60;
            ToLongFunction<ResourceSampler.Sample> f = values.get(panel);
            final int p = panel;
            double vMax = Math.max(1e-9, samples.stream().mapToDouble(s -> f.applyAsLong(s) * scale[p]).max().orElse(1)) * 1.1;
            g.setColor(Color.BLACK);
            g.drawString(titles[panel] + "  (max " + String.format(java.util.Locale.ROOT, "%.1f", vMax / 1.1)
                    + "; x: seconds, 0 to " + Math.round(tMax) + ")", left, top + 18);
            g.drawRect(left, top + 30, plotW, plotH);
            g.drawString("0", left - 15, top + 30 + plotH);
            g.drawString(String.format(java.util.Locale.ROOT, "%.0f", vMax), 5, top + 40);
            int colour = 0;
            for (Map.Entry<String, List<ResourceSampler.Sample>> e : lines.entrySet()) {
                g.setColor(COLOURS[colour % COLOURS.length]);
                g.setStroke(new BasicStroke(1.5f));
                int px = -1;
                int py = -1;
                for (ResourceSampler.Sample s : e.getValue()) {
                    int x = left + (int) (plotW * s.t() / tMax);
                    int y = top + 30 + plotH - (int) (plotH * Math.max(0, f.applyAsLong(s) * scale[panel]) / vMax);
                    if (px >= 0) {
                        g.drawLine(px, py, x, y);
                    }
                    px = x;
                    py = y;
                }
                g.drawString(e.getKey(), left + 10 + 150 * colour, top + h - 12);
                colour++;
            }
        }
        g.dispose();
        ImageIO.write(img, "png", png.toFile());
    }
}

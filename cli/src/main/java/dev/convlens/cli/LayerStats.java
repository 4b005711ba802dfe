package dev.convlens.cli;

import dev.convlens.FeatureMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a layer's activations look like for one image, for {@code --json}: mean, largest value, the fraction that is
 * zero (a ReLU's dead share) and how many are NaN or infinite (left out of the others).
 */
record LayerStats(String layer, double mean, float max, double zeros, int nonFinite) {

    static LayerStats of(FeatureMap map) {
        double sum = 0;
        float max = Float.NEGATIVE_INFINITY;
        long zeros = 0;
        long finite = 0;
        for (int c = 0; c < map.channels(); c++) {
            for (float v : map.channel(c)) {
                if (Float.isFinite(v)) {
                    sum += v;
                    max = Math.max(max, v);
                    zeros += v == 0 ? 1 : 0;
                    finite++;
                }
            }
        }
        long all = (long) map.channels() * map.height() * map.width();
        return new LayerStats(map.layer().name(), finite == 0 ? Double.NaN : sum / finite,
                finite == 0 ? Float.NaN : max, all == 0 ? 0 : (double) zeros / all, map.nonFiniteCount());
    }

    Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("layer", layer);
        m.put("mean", mean);
        m.put("max", max);
        m.put("zeros", zeros);
        m.put("nonFinite", nonFinite);
        return m;
    }
}

package dev.convlens.cli;

import dev.convlens.FeatureMap;
import java.util.List;

/**
 * What each channel of some layers responds to over many images: for every channel, the {@code k} images where its
 * spatial maximum is highest (with where that maximum is), how many images excite it at all, and the mean and
 * largest of its maxima. Fed one image at a time, in any order of arrival; its memory depends on the channels and
 * {@code k}, not on the number of images.
 */
final class Microscope {
    /** One image's maxima: per layer and channel, the largest value and its position {@code y * width + x}. */
    record Maxima(float[][] max, int[][] at, int[] widths) {
        static Maxima of(List<FeatureMap> maps) {
            float[][] max = new float[maps.size()][];
            int[][] at = new int[maps.size()][];
            int[] widths = new int[maps.size()];
            for (int l = 0; l < maps.size(); l++) {
                FeatureMap map = maps.get(l);
                widths[l] = map.width();
                max[l] = new float[map.channels()];
                at[l] = new int[map.channels()];
                for (int c = 0; c < map.channels(); c++) {
                    float[] plane = map.channel(c);
                    int best = 0;
                    for (int i = 1; i < plane.length; i++) {
                        if (plane[i] > plane[best] || Float.isNaN(plane[best])) { // the first of equal maxima
                            best = i;
                        }
                    }
                    max[l][c] = plane[best];
                    at[l][c] = best;
                }
            }
            return new Maxima(max, at, widths);
        }
    }

    /** One of a channel's top images. */
    record Top(int image, float score, int x, int y) {
    }

    /** A channel's tally. */
    static final class Channel {
        final Top[] top;
        int size;
        int active;
        int seen;
        double sum;
        float max = Float.NEGATIVE_INFINITY;

        Channel(int k) {
            top = new Top[k];
        }

        void add(int image, float score, int x, int y) {
            if (!Float.isFinite(score)) {
                return;
            }
            seen++;
            sum += score;
            max = Math.max(max, score);
            active += score > 0 ? 1 : 0;
            // keeps the k highest, an earlier image first among equal scores
            int at = size;
            while (at > 0 && top[at - 1].score() < score) {
                at--;
            }
            if (at >= top.length) {
                return;
            }
            System.arraycopy(top, at, top, at + 1, Math.min(size, top.length - 1) - at);
            top[at] = new Top(image, score, x, y);
            size = Math.min(size + 1, top.length);
        }

        List<Top> tops() {
            return List.of(java.util.Arrays.copyOf(top, size)); // fewer than k where fewer images excite it
        }

        boolean dead() {
            return active == 0;
        }

        double meanMax() {
            return seen == 0 ? Double.NaN : sum / seen;
        }
    }

    private final Channel[][] channels;

    /** An empty tally for layers of these channel counts, keeping {@code k} images a channel. */
    Microscope(int[] channelsPerLayer, int k) {
        channels = new Channel[channelsPerLayer.length][];
        for (int l = 0; l < channels.length; l++) {
            channels[l] = new Channel[channelsPerLayer[l]];
            for (int c = 0; c < channels[l].length; c++) {
                channels[l][c] = new Channel(k);
            }
        }
    }

    /** Adds one image's maxima. Images may come in any order; equal scores keep the one added first. */
    void add(int image, Maxima maxima) {
        for (int l = 0; l < channels.length; l++) {
            for (int c = 0; c < channels[l].length; c++) {
                int at = maxima.at()[l][c];
                channels[l][c].add(image, maxima.max()[l][c], at % maxima.widths()[l], at / maxima.widths()[l]);
            }
        }
    }

    Channel channel(int layer, int channel) {
        return channels[layer][channel];
    }
}

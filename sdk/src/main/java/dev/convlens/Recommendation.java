package dev.convlens;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/**
 * Which layer and which method to believe: candidate (layer, method) pairs scored by the faithfulness metrics of
 * {@link Evaluation} (deletion, insertion, ROAD in both orders) on one image or, {@link #combine combined}, on many,
 * and ranked by their mean rank over the four. Saliency metrics often disagree (Tomsett et al. 2020), so the ranking
 * says where they do: a candidate {@link Candidate#agrees() agrees} when every metric finds it at least as good as
 * every candidate below it; only then is it the {@link #best()}. Immutable.
 *
 * <pre>{@code
 * Recommendation r = inspector.image(Path.of("dog.jpg")).recommend();
 * System.out.println(r); // the ranking, each metric, the time each took, and whether the metrics agree
 * r.best().ifPresent(c -> System.out.println("take " + c.method() + " on " + c.layer()));
 * }</pre>
 */
public final class Recommendation {
    /** The four metrics, each with its better direction. */
    private enum Metric {
        DELETION("deletion", true, Candidate::deletionArea),
        INSERTION("insertion", false, Candidate::insertionArea),
        ROAD_MORF("ROAD most relevant first", true, Candidate::roadMostRelevantFirst),
        ROAD_LERF("ROAD least relevant first", false, Candidate::roadLeastRelevantFirst);

        final String label;
        final boolean lowerIsBetter;
        final ToDoubleFunction<Candidate> value;

        Metric(String label, boolean lowerIsBetter, ToDoubleFunction<Candidate> value) {
            this.label = label;
            this.lowerIsBetter = lowerIsBetter;
            this.value = value;
        }

        /** Positive where a is better than b, 0 where they are equal. */
        double better(Candidate a, Candidate b) {
            double d = value.applyAsDouble(a) - value.applyAsDouble(b);
            return lowerIsBetter ? -d : d;
        }
    }

    /**
     * One (layer, method) pair: its metrics (means over the images), the time its heatmap and its evaluation took
     * (means per image), and whether the metrics agree that it beats every candidate below it.
     *
     * @param layer the heatmap's layer
     * @param method the heatmap method
     * @param deletionArea the deletion curve's area: lower is better
     * @param insertionArea the insertion curve's area: higher is better
     * @param roadMostRelevantFirst ROAD, most relevant pixels removed first: lower is better
     * @param roadLeastRelevantFirst ROAD, least relevant pixels removed first: higher is better
     * @param heatmapTime the time the heatmap took
     * @param evaluationTime the time its evaluation took
     * @param agrees whether every metric finds it at least as good as each candidate ranked below it (false for the
     *     last of several: there is none below)
     */
    public record Candidate(String layer, HeatmapMethod method, double deletionArea, double insertionArea,
                            double roadMostRelevantFirst, double roadLeastRelevantFirst, Duration heatmapTime,
                            Duration evaluationTime, boolean agrees) {
        /** Checks the names and times. */
        public Candidate {
            Objects.requireNonNull(layer, "layer");
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(heatmapTime, "heatmapTime");
            Objects.requireNonNull(evaluationTime, "evaluationTime");
        }

        /**
         * Returns ROAD combined, {@code (least relevant first - most relevant first) / 2}: higher is better.
         *
         * @return the combined score
         */
        public double roadCombined() {
            return (roadLeastRelevantFirst - roadMostRelevantFirst) / 2;
        }

        private Candidate withAgreement(boolean agreement) {
            return new Candidate(layer, method, deletionArea, insertionArea, roadMostRelevantFirst,
                    roadLeastRelevantFirst, heatmapTime, evaluationTime, agreement);
        }

        private String key() {
            return layer + "\t" + method;
        }
    }

    private final List<Candidate> ranking;
    private final int images;
    private final Faithfulness protocol;

    private Recommendation(List<Candidate> ranking, int images, Faithfulness protocol) {
        this.ranking = List.copyOf(ranking);
        this.images = images;
        this.protocol = protocol;
    }

    /** Ranks measured candidates: by mean rank over the four metrics, then ROAD combined, then name. */
    static Recommendation ranked(List<Candidate> measured, int images, Faithfulness protocol) {
        Map<Candidate, Double> meanRank = new LinkedHashMap<>();
        for (Candidate c : measured) {
            double sum = 0;
            for (Metric m : Metric.values()) {
                double rank = 1;
                for (Candidate other : measured) {
                    double d = m.better(other, c);
                    rank += d > 0 ? 1 : d == 0 && other != c ? 0.5 : 0; // ties share their mean rank
                }
                sum += rank;
            }
            meanRank.put(c, sum / Metric.values().length);
        }
        List<Candidate> order = new ArrayList<>(measured);
        order.sort(Comparator.comparingDouble((Candidate c) -> meanRank.get(c))
                .thenComparing(Comparator.comparingDouble(Candidate::roadCombined).reversed())
                .thenComparing(Candidate::layer).thenComparing(c -> c.method().name()));
        List<Candidate> ranked = new ArrayList<>();
        for (int i = 0; i < order.size(); i++) {
            List<Candidate> below = order.subList(i + 1, order.size());
            // the last of several has none below to beat: nothing to agree on
            boolean agrees = (order.size() == 1 || !below.isEmpty()) && dominates(order.get(i), below);
            ranked.add(order.get(i).withAgreement(agrees));
        }
        return new Recommendation(ranked, images, protocol);
    }

    /**
     * Whether every metric finds c at least as good as each of the others. A tie in all four is no disagreement: on
     * a class layer (SqueezeNet's {@code conv10}) several methods give the same map.
     */
    private static boolean dominates(Candidate c, List<Candidate> others) {
        for (Candidate o : others) {
            for (Metric m : Metric.values()) {
                if (m.better(c, o) < 0) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Combines the recommendations of several images of one model: each candidate's metrics and times averaged
     * over them (weighted by how many images each holds), ranked again.
     *
     * <pre>{@code
     * List<Recommendation> each = photos.stream().map(p -> inspector.image(p).recommend()).toList();
     * System.out.println(Recommendation.combine(each));
     * }</pre>
     *
     * @param recommendations those of the images, of the same candidates
     * @return the combined ranking
     * @throws IllegalArgumentException if there are none, or their candidates or protocols differ
     * @throws NullPointerException if the collection or one of them is null
     */
    public static Recommendation combine(Collection<Recommendation> recommendations) {
        if (recommendations.isEmpty()) {
            throw new IllegalArgumentException("no recommendations to combine: give those of one image or more");
        }
        Recommendation first = recommendations.iterator().next();
        Map<String, double[]> sums = new LinkedHashMap<>();
        Map<String, Candidate> byKey = new LinkedHashMap<>();
        int images = 0;
        for (Recommendation r : recommendations) {
            if (!r.protocol.equals(first.protocol)
                    || !r.ranking.stream().map(Candidate::key).sorted().toList()
                            .equals(first.ranking.stream().map(Candidate::key).sorted().toList())) {
                throw new IllegalArgumentException("these recommendations are of different candidates or protocols"
                        + " (" + first.candidates() + " under " + first.protocol + " against " + r.candidates()
                        + " under " + r.protocol + "): combine those of one model, one choice of layers and methods");
            }
            images += r.images;
            for (Candidate c : r.ranking) {
                byKey.putIfAbsent(c.key(), c);
                double[] s = sums.computeIfAbsent(c.key(), k -> new double[6]);
                double w = r.images;
                s[0] += w * c.deletionArea();
                s[1] += w * c.insertionArea();
                s[2] += w * c.roadMostRelevantFirst();
                s[3] += w * c.roadLeastRelevantFirst();
                s[4] += w * c.heatmapTime().toNanos();
                s[5] += w * c.evaluationTime().toNanos();
            }
        }
        List<Candidate> mean = new ArrayList<>();
        for (Map.Entry<String, double[]> e : sums.entrySet()) {
            Candidate c = byKey.get(e.getKey());
            double[] s = e.getValue();
            mean.add(new Candidate(c.layer(), c.method(), s[0] / images, s[1] / images, s[2] / images,
                    s[3] / images, Duration.ofNanos(Math.round(s[4] / images)),
                    Duration.ofNanos(Math.round(s[5] / images)), false));
        }
        return ranked(mean, images, first.protocol);
    }

    private List<String> candidates() {
        return ranking.stream().map(c -> c.method() + " on " + c.layer()).sorted().toList();
    }

    /**
     * Returns the candidates, the best first by mean rank over the four metrics.
     *
     * @return the ranking
     */
    public List<Candidate> ranking() {
        return ranking;
    }

    /**
     * Returns whether the metrics agree on the first candidate: each finds it at least as good as every other.
     *
     * @return true if {@link #best()} is present
     */
    public boolean agree() {
        return !ranking.isEmpty() && ranking.get(0).agrees();
    }

    /**
     * Returns the candidate the metrics agree on, if they do.
     *
     * @return the first of the ranking where every metric prefers it, else empty
     */
    public Optional<Candidate> best() {
        return agree() ? Optional.of(ranking.get(0)) : Optional.empty();
    }

    /**
     * Returns how many images the metrics are means over.
     *
     * @return 1 for one image's
     */
    public int images() {
        return images;
    }

    /**
     * Returns the protocol the candidates were evaluated under (without the model-randomisation check).
     *
     * @return the protocol
     */
    public Faithfulness protocol() {
        return protocol;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Recommendation other && other.ranking.equals(ranking) && other.images == images
                && other.protocol.equals(protocol);
    }

    @Override
    public int hashCode() {
        return Objects.hash(ranking, images, protocol);
    }

    /**
     * The verdict, then the ranking as a table: each candidate's metrics and times, and whether it agrees.
     */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        String over = images == 1 ? "on one image" : "over " + images + " images";
        if (agree()) {
            Candidate b = ranking.get(0);
            s.append(String.format(Locale.ROOT, "the metrics agree %s: %s on %s is the most faithful %s", over,
                    b.method(), b.layer(), ranking.size() == 1 ? "(the only candidate)"
                            : "of " + ranking.size() + " candidates"));
        } else {
            s.append(String.format(Locale.ROOT, "the metrics disagree %s, so no candidate of %d is the best:",
                    over, ranking.size()));
            for (Metric m : Metric.values()) {
                Candidate top = ranking.stream().max((a, b) -> Double.compare(m.better(a, b), 0)).orElseThrow();
                s.append(String.format(Locale.ROOT, " %s prefers %s on %s%s", m.label, top.method(), top.layer(),
                        m == Metric.ROAD_LERF ? ";" : ","));
            }
            s.append(" ranked by mean rank");
        }
        s.append(String.format(Locale.ROOT, "%n%-4s %-22s %-24s %9s %9s %9s %9s %9s %10s %11s  %s", "rank", "method",
                "layer", "deletion", "insertion", "ROAD morf", "ROAD lerf", "combined", "heatmap ms", "evaluate ms",
                "agrees"));
        s.append(String.format(Locale.ROOT, "%n%-4s %-22s %-24s %9s %9s %9s %9s %9s", "", "", "", "(lower)",
                "(higher)", "(lower)", "(higher)", "(higher)"));
        for (int i = 0; i < ranking.size(); i++) {
            Candidate c = ranking.get(i);
            s.append(String.format(Locale.ROOT, "%n%-4d %-22s %-24s %9.4f %9.4f %9.4f %9.4f %9.4f %10.1f %11.0f  %s",
                    i + 1, c.method(), c.layer(), c.deletionArea(), c.insertionArea(), c.roadMostRelevantFirst(),
                    c.roadLeastRelevantFirst(), c.roadCombined(), c.heatmapTime().toNanos() / 1e6,
                    c.evaluationTime().toNanos() / 1e6, c.agrees() ? "yes" : "no"));
        }
        return s.toString();
    }
}

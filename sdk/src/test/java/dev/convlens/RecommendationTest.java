package dev.convlens;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The ranking of candidate (layer, method) pairs: its order and agreement on hand-made numbers, the combination of
 * images, and on the shipped convnet each candidate's metrics against the evaluation of its own heatmap.
 */
class RecommendationTest {
    private static final Path SEED = Path.of("../models/cats_vs_dogs_small.onnx");
    private static final Path PHOTO = Path.of("../examples/images/chelsea.png");

    private static Recommendation.Candidate candidate(String layer, HeatmapMethod method, double deletion,
                                                      double insertion, double morf, double lerf) {
        return new Recommendation.Candidate(layer, method, deletion, insertion, morf, lerf, Duration.ofMillis(10),
                Duration.ofMillis(100), false);
    }

    /**
     * A candidate better in all four metrics than the rest is first and the best; below it, they disagree; the last
     * has none below to beat.
     */
    @Test
    void aCandidateBetterInEveryMetricIsTheBest() {
        Recommendation r = Recommendation.ranked(List.of(
                candidate("b", HeatmapMethod.EIGEN_CAM, 0.5, 0.6, 0.2, 0.3),
                candidate("a", HeatmapMethod.GRAD_CAM, 0.1, 0.9, 0.0, 0.5),
                // better than eigen-cam in deletion and insertion, worse in both ROADs
                candidate("c", HeatmapMethod.LAYER_CAM, 0.4, 0.7, 0.3, 0.2)), 1, Faithfulness.defaults());
        assertThat(r.ranking()).extracting(Recommendation.Candidate::layer).containsExactly("a", "b", "c");
        assertThat(r.ranking()).extracting(Recommendation.Candidate::agrees).containsExactly(true, false, false);
        assertThat(r.agree()).isTrue();
        assertThat(r.best()).get().extracting(Recommendation.Candidate::method).isEqualTo(HeatmapMethod.GRAD_CAM);
        assertThat(r.ranking().get(0).roadCombined()).isCloseTo(0.25, within(1e-12));
        assertThat(r.toString()).startsWith("the metrics agree on one image: GRAD_CAM on a is the most faithful of"
                + " 3 candidates");
    }

    /** Two candidates with the same numbers (methods that coincide on a class layer) do not disagree. */
    @Test
    void candidatesThatTieEverywhereDoNotDisagree() {
        Recommendation r = Recommendation.ranked(List.of(
                candidate("conv10", HeatmapMethod.LAYER_CAM, 0.1, 0.9, 0.0, 0.5),
                candidate("conv10", HeatmapMethod.GRAD_CAM_PLUS_PLUS, 0.1, 0.9, 0.0, 0.5),
                candidate("fire9", HeatmapMethod.GRAD_CAM, 0.2, 0.8, 0.1, 0.4)), 1, Faithfulness.defaults());
        assertThat(r.ranking()).extracting(Recommendation.Candidate::agrees).containsExactly(true, true, false);
        assertThat(r.best()).get().extracting(Recommendation.Candidate::method)
                .isEqualTo(HeatmapMethod.GRAD_CAM_PLUS_PLUS); // tied, then by name
    }

    /**
     * Where the metrics prefer different candidates there is no best, and the verdict says which each prefers; the
     * order is the mean rank (a: 1, 1, 2, 2 = 1.5; b: 2, 2, 1, 1 = 1.5, tied, then ROAD combined).
     */
    @Test
    void disagreeingMetricsGiveNoBest() {
        Recommendation r = Recommendation.ranked(List.of(
                candidate("a", HeatmapMethod.GRAD_CAM, 0.1, 0.9, 0.3, 0.2),
                candidate("b", HeatmapMethod.GRAD_CAM, 0.2, 0.8, 0.1, 0.4)), 1, Faithfulness.defaults());
        assertThat(r.ranking()).extracting(Recommendation.Candidate::layer).containsExactly("b", "a");
        assertThat(r.agree()).isFalse();
        assertThat(r.best()).isEmpty();
        assertThat(r.toString()).contains("the metrics disagree on one image, so no candidate of 2 is the best:"
                + " deletion prefers GRAD_CAM on a, insertion prefers GRAD_CAM on a, ROAD most relevant first prefers"
                + " GRAD_CAM on b, ROAD least relevant first prefers GRAD_CAM on b;");
    }

    /** Combining weighs each recommendation by its images and ranks again; different candidates are refused. */
    @Test
    void combiningAveragesOverImages() {
        Recommendation one = Recommendation.ranked(List.of(candidate("a", HeatmapMethod.GRAD_CAM, 0.1, 0.9, 0.0, 0.5),
                candidate("b", HeatmapMethod.GRAD_CAM, 0.5, 0.5, 0.5, 0.1)), 1, Faithfulness.defaults());
        Recommendation three = Recommendation.ranked(List.of(
                candidate("a", HeatmapMethod.GRAD_CAM, 0.9, 0.1, 0.8, 0.0),
                candidate("b", HeatmapMethod.GRAD_CAM, 0.1, 0.9, 0.0, 0.9)), 3, Faithfulness.defaults());
        Recommendation both = Recommendation.combine(List.of(one, three));
        assertThat(both.images()).isEqualTo(4);
        Recommendation.Candidate b = both.ranking().get(0);
        assertThat(b.layer()).isEqualTo("b");
        assertThat(b.deletionArea()).isCloseTo((0.5 + 3 * 0.1) / 4, within(1e-12));
        assertThat(b.roadLeastRelevantFirst()).isCloseTo((0.1 + 3 * 0.9) / 4, within(1e-12));
        assertThat(b.heatmapTime()).isEqualTo(Duration.ofMillis(10));
        assertThat(both.agree()).isTrue();
        Recommendation other = Recommendation.ranked(List.of(candidate("c", HeatmapMethod.GRAD_CAM, 0, 1, 0, 1)), 1,
                Faithfulness.defaults());
        assertThatThrownBy(() -> Recommendation.combine(List.of(one, other)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("different candidates");
        assertThatThrownBy(() -> Recommendation.combine(List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * On the shipped convnet and Chelsea: two layers and three methods, each candidate's metrics those of
     * evaluate() on its own heatmap, in the order of their mean rank computed here by sorting each metric.
     */
    @Test
    void eachCandidateIsItsHeatmapsEvaluationRankedByMeanRank() throws IOException {
        Faithfulness protocol = Faithfulness.defaults().steps(10).percentiles(30, 70);
        List<HeatmapMethod> methods = List.of(HeatmapMethod.GRAD_CAM, HeatmapMethod.EIGEN_CAM,
                HeatmapMethod.RANDOM_CAM);
        try (Inspector inspector = Inspector.of(SEED)) {
            Request request = inspector.image(PHOTO);
            List<String> heard = new ArrayList<>();
            Recommendation r = request.layers("conv2d_3", "conv2d_4")
                    .progress((work, done, total) -> heard.add(work + " " + done + "/" + total))
                    .recommend(protocol, methods);
            System.out.println(r);
            assertThat(r.ranking()).hasSize(6);
            assertThat(heard).hasSize(6).last().isEqualTo("recommend: candidates 6/6");
            for (Recommendation.Candidate c : r.ranking()) {
                Request on = request.layers(c.layer());
                Evaluation e = on.evaluate(on.heatmap(c.method()), protocol.modelRandomization(false));
                assertThat(c.deletionArea()).as("%s on %s", c.method(), c.layer()).isEqualTo(e.deletionArea());
                assertThat(c.insertionArea()).isEqualTo(e.insertionArea());
                assertThat(c.roadMostRelevantFirst()).isEqualTo(e.roadMostRelevantFirst());
                assertThat(c.roadLeastRelevantFirst()).isEqualTo(e.roadLeastRelevantFirst());
                assertThat(c.heatmapTime()).isPositive();
                assertThat(c.evaluationTime()).isPositive();
            }
            Map<Recommendation.Candidate, Double> rank = new HashMap<>();
            List<Comparator<Recommendation.Candidate>> better = List.of(
                    Comparator.comparingDouble(Recommendation.Candidate::deletionArea),
                    Comparator.comparingDouble(Recommendation.Candidate::insertionArea).reversed(),
                    Comparator.comparingDouble(Recommendation.Candidate::roadMostRelevantFirst),
                    Comparator.comparingDouble(Recommendation.Candidate::roadLeastRelevantFirst).reversed());
            for (Comparator<Recommendation.Candidate> metric : better) {
                List<Recommendation.Candidate> sorted = new ArrayList<>(r.ranking());
                sorted.sort(metric);
                for (int i = 0; i < sorted.size(); i++) {
                    rank.merge(sorted.get(i), (i + 1) / 4.0, Double::sum); // these six have no ties
                }
            }
            for (int i = 1; i < r.ranking().size(); i++) {
                assertThat(rank.get(r.ranking().get(i))).isGreaterThanOrEqualTo(rank.get(r.ranking().get(i - 1)));
            }
            Recommendation.Candidate first = r.ranking().get(0);
            assertThat(first.agrees()).isEqualTo(r.agree());
        }
    }

    /** The default candidates are the last three spatial convolutions: conv2d_2, conv2d_3 and conv2d_4 here. */
    @Test
    void theDefaultCandidatesAreTheLastThreeSpatialLayers() throws IOException {
        try (Inspector inspector = Inspector.of(SEED)) {
            Recommendation r = inspector.image(PHOTO).recommend(Faithfulness.defaults().steps(2).percentiles(50),
                    List.of(HeatmapMethod.EIGEN_CAM));
            assertThat(r.ranking()).extracting(Recommendation.Candidate::layer)
                    .containsExactlyInAnyOrder("conv2d_2", "conv2d_3", "conv2d_4");
            assertThatThrownBy(() -> inspector.image(PHOTO).recommend(Faithfulness.defaults(), List.of()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no methods");
        }
    }
}

package dev.convlens;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Long work says how far it has got, with its total known from the first call, and stops at its next run when the
 * thread is interrupted: on the shipped convnet (dynamic batch, so runs come in batches).
 */
class ProgressTest {
    private static final Path SEED = Path.of("../models/cats_vs_dogs_small.onnx");
    private static final Path PHOTO = Path.of("../examples/images/chelsea.png");

    /** Every call of one piece of work: its done counts and its total. */
    private static final class Heard implements ProgressListener {
        final Map<String, List<long[]>> calls = new LinkedHashMap<>();

        @Override
        public void progress(String work, long done, long total) {
            calls.computeIfAbsent(work, w -> new ArrayList<>()).add(new long[] {done, total});
        }

        /** Asserts the work's counts rise to a total that never changed, and returns the total. */
        long total(String work) {
            List<long[]> c = calls.get(work);
            assertThat(c).as("calls for %s, heard %s", work, calls.keySet()).isNotEmpty();
            long total = c.get(0)[1];
            long last = 0;
            for (long[] call : c) {
                assertThat(call[1]).as("%s's total", work).isEqualTo(total);
                assertThat(call[0]).as("%s's count", work).isGreaterThan(last);
                last = call[0];
            }
            assertThat(last).as("%s ends at its total", work).isEqualTo(total);
            return total;
        }
    }

    @Test
    void manyRunMethodsAndEvaluationsReportTheirRuns() throws IOException {
        try (Inspector inspector = Inspector.of(SEED)) {
            Heard heard = new Heard();
            Request request = inspector.image(PHOTO).progress(heard);
            HeatmapOptions batches = HeatmapOptions.defaults().batch(16);
            // 180x180, patch 20, stride 20: 9 x 9 positions, in batches of 16
            request.heatmap(HeatmapMethod.OCCLUSION, batches.occlusion(20, 20));
            assertThat(heard.total("occlusion: patch positions")).isEqualTo(81);
            assertThat(heard.calls.get("occlusion: patch positions")).hasSize(6);
            request.heatmap(HeatmapMethod.SCORE_CAM, batches.channels(40));
            assertThat(heard.total("score-cam: masked inputs")).isEqualTo(40);
            request.heatmap(HeatmapMethod.ABLATION_CAM, batches);
            assertThat(heard.total("ablation-cam: channels")).isEqualTo(256); // conv2d_4's channels
            request.heatmap(HeatmapMethod.RECIPRO_CAM, batches);
            assertThat(heard.total("recipro-cam: positions")).isEqualTo(49); // 7x7
            request.attribution(AttributionMethod.SMOOTH_GRAD, batches.smoothGrad(10, 0.15f));
            assertThat(heard.total("smooth-grad: noisy samples")).isEqualTo(10);
            request.attribution(AttributionMethod.INTEGRATED_GRADIENTS, batches.integratedGradients(12));
            assertThat(heard.total("integrated gradients: steps")).isEqualTo(12);
            Heatmap gradCam = inspector.image(PHOTO).heatmap(HeatmapMethod.GRAD_CAM);
            request.evaluate(gradCam);
            assertThat(heard.total("deletion: steps")).isEqualTo(20);
            assertThat(heard.total("insertion: steps")).isEqualTo(20);
            assertThat(heard.total("ROAD: changed inputs")).isEqualTo(19); // 2 x 9 percentiles, and x * map
            assertThat(heard.total("model randomisation: layers")).isEqualTo(6); // 5 convolutions and the dense layer
            inspector.patterns("conv2d_3").channels(java.util.stream.IntStream.range(0, 20).toArray()).steps(3, 10)
                    .progress(heard).list();
            assertThat(heard.total("patterns: gradient steps")).isEqualTo(2 * 4); // 16 and 4 channels, 3 steps + 1
            System.out.println("heard: " + heard.calls.keySet());
        }
    }

    /** A listener that interrupts its thread stops the work at the next run, and the inspector works on. */
    @Test
    void interruptingTheThreadStopsTheWorkAtItsNextRun() throws IOException {
        try (Inspector inspector = Inspector.of(SEED)) {
            List<Long> done = new ArrayList<>();
            Request request = inspector.image(PHOTO).progress((work, d, total) -> {
                done.add(d);
                if (d >= 32) {
                    Thread.currentThread().interrupt();
                }
            });
            assertThatThrownBy(() -> request.heatmap(HeatmapMethod.OCCLUSION,
                    HeatmapOptions.defaults().batch(16).occlusion(10, 5)))
                    .isInstanceOf(CancelledException.class).hasMessageContaining("interrupted");
            assertThat(Thread.interrupted()).as("the interrupt is left for the caller to see").isTrue();
            assertThat(done).containsExactly(16L, 32L); // of 33 x 33 = 1,089 positions
            assertThat(inspector.image(PHOTO).heatmap(HeatmapMethod.GRAD_CAM).score()).isPositive();
        }
    }
}

package dev.convlens;

/**
 * Hears how far long work has got: the runs of Score-CAM, Ablation-CAM, Recipro-CAM and occlusion, the samples of
 * SmoothGrad and the steps of integrated gradients, the runs of a faithfulness evaluation and its randomized models.
 * Called on the working thread after each batch of runs, with the total known up front; keep it quick. To stop the
 * work, interrupt the thread: it ends with a {@link CancelledException} before its next run.
 *
 * <pre>{@code
 * Heatmap fine = inspector.image(Path.of("dog.jpg"))
 *         .progress((work, done, total) -> System.err.printf("%s: %d/%d%n", work, done, total))
 *         .heatmap(HeatmapMethod.OCCLUSION, HeatmapOptions.defaults().occlusion(1, 1)); // 50,176 runs at 224x224
 * }</pre>
 */
@FunctionalInterface
public interface ProgressListener {
    /**
     * Says how much of one piece of work is done. A computation may be several pieces one after the other
     * (an evaluation's deletion, insertion, ROAD and model randomisation; each of augmentation smoothing's six maps),
     * each counted from its start.
     *
     * @param work what is being done and what is counted, as {@code "occlusion: patch positions"}
     * @param done how many are done, 1 to {@code total}
     * @param total how many there are
     */
    void progress(String work, long done, long total);

    /**
     * Returns the listener that hears nothing, the default.
     *
     * @return a listener that does nothing
     */
    static ProgressListener none() {
        return (work, done, total) -> { };
    }
}

package dev.convlens;

/**
 * Thrown when the thread running a request is interrupted. Long work (Score-CAM's and occlusion's runs, SmoothGrad's
 * samples, Integrated Gradients' steps, filter patterns' steps) checks between runs of the model and stops at the
 * next one; a run already started finishes first. The thread's interrupt status stays set, so the code that
 * interrupted it can still see it.
 *
 * <pre>{@code
 * Future<Heatmap> heatmap = executor.submit(() -> request.heatmap(HeatmapMethod.SCORE_CAM));
 * heatmap.cancel(true); // the task ends in a CancelledException at its next run
 * }</pre>
 */
public class CancelledException extends ConvLensException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception with a message.
     *
     * @param message what was stopped
     */
    public CancelledException(String message) {
        super(message);
    }
}

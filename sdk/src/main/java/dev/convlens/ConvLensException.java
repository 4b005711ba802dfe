package dev.convlens;

/**
 * The root of every exception ConvLens throws for a model, an image or a run that it cannot use.
 *
 * <p>All ConvLens exceptions are unchecked. Catch this type to handle every failure in one place, or one of its
 * subclasses to tell the cases apart:
 * <ul>
 *   <li>{@link ModelException}: the model file cannot be read as ONNX, or ONNX Runtime cannot load it;
 *       {@link UnsupportedModelException}, a subclass, when it is valid ONNX that ConvLens cannot inspect;</li>
 *   <li>{@link ImageException}: the image cannot be read or decoded; {@link ImageTooLargeException}, a subclass,
 *       when it declares more pixels than the configured limit;</li>
 *   <li>{@link LayerNotFoundException}: a layer name or index matches no layer of the model;</li>
 *   <li>{@link InferenceException}: ONNX Runtime failed while running the model;</li>
 *   <li>{@link CancelledException}: the thread was interrupted, and long work stopped at its next run.</li>
 * </ul>
 * The message says what was wrong and, where there is one, how to fix it. The underlying exception, if any,
 * is kept as the {@linkplain #getCause() cause}.
 *
 * <p>Programming errors are reported with the JDK's own exceptions instead: {@link NullPointerException} for a
 * null argument, {@link IllegalArgumentException} for an out-of-range value such as {@code grid(0)}, and
 * {@link IllegalStateException} for use of a closed {@link Inspector}.
 */
public class ConvLensException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception with a message.
     *
     * @param message what went wrong and how to fix it
     */
    public ConvLensException(String message) {
        super(message);
    }

    /**
     * Creates an exception with a message and the exception that caused it.
     *
     * @param message what went wrong and how to fix it
     * @param cause the underlying failure
     */
    public ConvLensException(String message, Throwable cause) {
        super(message, cause);
    }
}

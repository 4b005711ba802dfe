package dev.convlens;

import java.util.List;

/**
 * Thrown when a layer name, pattern or index matches no layer of the model. The message and
 * {@link #candidates()} list the closest layer names, so a typo is easy to fix.
 */
public class LayerNotFoundException extends ConvLensException {
    private static final long serialVersionUID = 1L;

    /** The name, pattern or index that matched nothing. */
    private final String query;
    /** The closest layer names, best first. */
    private final List<String> candidates;

    /**
     * Creates an exception for a query that matched nothing.
     *
     * @param message what went wrong and how to fix it
     * @param query the name, pattern or index that matched nothing
     * @param candidates the closest layer names, best first
     */
    public LayerNotFoundException(String message, String query, List<String> candidates) {
        super(message);
        this.query = query;
        this.candidates = List.copyOf(candidates);
    }

    /**
     * Returns the name, pattern or index that matched no layer.
     *
     * @return the query as given
     */
    public String query() {
        return query;
    }

    /**
     * Returns the layer names closest to the query, best first.
     *
     * @return an unmodifiable list, possibly empty
     */
    public List<String> candidates() {
        return candidates;
    }
}

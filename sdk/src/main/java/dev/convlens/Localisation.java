package dev.convlens;

import java.util.Locale;
import java.util.Objects;

/**
 * Whether a heatmap points at the object, given where it is ({@link Heatmap#localisation(Region)}): the pointing
 * game and the share of the map's energy inside the region, each against what a map that knows nothing would score.
 * Immutable.
 *
 * <pre>{@code
 * Localisation l = heatmap.localisation(Region.box(40, 10, 300, 280));
 * System.out.println(l.hit() + ", " + l.energy() + " of the energy in " + l.area() + " of the image");
 * }</pre>
 */
public final class Localisation {
    private final Region region;
    private final boolean hit;
    private final double energy;
    private final double area;

    Localisation(Region region, boolean hit, double energy, double area) {
        this.region = Objects.requireNonNull(region, "region");
        this.hit = hit;
        this.energy = energy;
        this.area = area;
    }

    /**
     * Returns the pointing game (Zhang et al. 2016, as Quantus's {@code PointingGame}): whether a pixel of the map's
     * maximum, on the map resized to the image, lies in the region. Over many images, the share of hits: higher is
     * better.
     *
     * @return true if the maximum is inside
     */
    public boolean hit() {
        return hit;
    }

    /**
     * Returns the share of the map's positive values inside the region: the energy-based pointing game of Score-CAM
     * (Wang et al. 2020), Quantus's {@code AttributionLocalisation}. Higher is better; a map spread evenly scores
     * {@link #area()}.
     *
     * @return 0 to 1, or NaN where the map has no positive value
     */
    public double energy() {
        return energy;
    }

    /**
     * Returns the share of the image the region covers: the energy of a map that knows nothing, and about the chance
     * of a hit for a random maximum.
     *
     * @return 0 to 1
     */
    public double area() {
        return area;
    }

    /**
     * Returns the region the map was measured against.
     *
     * @return the region
     */
    public Region region() {
        return region;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Localisation l && l.region.equals(region) && l.hit == hit
                && Double.compare(l.energy, energy) == 0 && Double.compare(l.area, area) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(region, hit, energy, area);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "pointing game %s (the maximum %s the %s), energy %.4f inside (higher is"
                + " better; a map spread evenly: %.4f)", hit ? "hit" : "miss", hit ? "inside" : "outside", region,
                energy, area);
    }
}

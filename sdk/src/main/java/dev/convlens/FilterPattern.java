package dev.convlens;

import dev.convlens.render.PatternPictures;
import dev.convlens.render.Raster;
import java.awt.image.BufferedImage;

/**
 * What one channel responds to most: a picture found by gradient ascent that excites it, with the activation it
 * reaches. Made by {@link Patterns#list()}. Immutable.
 *
 * <p>{@link #input()} is the picture as the model takes it, so the {@link #score()} can be checked with the model
 * itself (or with another runtime).
 */
public final class FilterPattern {
    private final Layer layer;
    private final int channel;
    private final float score;
    private final boolean dead;
    private final float[] input;
    private final Raster picture;

    FilterPattern(Layer layer, int channel, float score, boolean dead, float[] input, Raster picture) {
        this.layer = layer;
        this.channel = channel;
        this.score = score;
        this.dead = dead;
        this.input = input;
        this.picture = picture;
    }

    /**
     * Returns the layer the channel belongs to.
     *
     * @return the layer
     */
    public Layer layer() {
        return layer;
    }

    /**
     * Returns the channel.
     *
     * @return the channel, from 0
     */
    public int channel() {
        return channel;
    }

    /**
     * Returns the channel's mean activation for this pattern: what the ascent maximized.
     *
     * @return the mean over the channel's map
     */
    public float score() {
        return score;
    }

    /**
     * Returns whether no input near the start excites the channel: its gradient was zero everywhere at every step
     * (a ReLU that stays off), so the pattern is the start picture. Such channels are drawn crossed out in
     * {@link Patterns#grid(int)}.
     *
     * @return true for a dead channel
     */
    public boolean dead() {
        return dead;
    }

    /**
     * Returns the pattern as the model takes it: the input tensor's values for one image, in the model's layout and
     * value range (its preprocessing applied).
     *
     * @return a new array of the input's size
     */
    public float[] input() {
        return input.clone();
    }

    /**
     * Returns the pattern as "Deep Learning with Python" shows it: normalized to a mean of 0.5 and a standard
     * deviation of 0.1 per picture, clipped and scaled to 0..255.
     *
     * @return an RGB image of the model's input size
     */
    public BufferedImage image() {
        return Pictures.of(picture);
    }

    /** The picture a grid shows: the pattern, or a crossed-out tile for a dead channel. */
    Raster tile() {
        return dead ? PatternPictures.dead(picture.width(), picture.height()) : picture;
    }

    @Override
    public String toString() {
        return "FilterPattern[" + layer.name() + " #" + channel + ", score " + score + (dead ? ", dead" : "") + "]";
    }
}

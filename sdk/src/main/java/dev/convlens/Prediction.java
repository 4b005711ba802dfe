package dev.convlens;

/**
 * What a classifier's scores say: the class and how likely the model finds it. Made by {@link Tensor#prediction()}.
 *
 * <pre>{@code
 * Prediction p = inspector.image(Path.of("cat.jpg")).inspect().output().prediction();
 * System.out.println(p.classIndex() + " " + p.probability());   // 0 0.97: a cat, for the shipped model
 * }</pre>
 *
 * @param classIndex the predicted class; for a single sigmoid score, 1 when it is at least 0.5, else 0
 * @param probability the probability of that class: the score itself (or its complement, for a sigmoid below
 *     0.5), or a softmax of the scores when they are not probabilities already
 * @param scores the number of scores the output holds (1 for a sigmoid)
 */
public record Prediction(int classIndex, double probability, int scores) {
}

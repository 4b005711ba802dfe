/**
 * JMH benchmarks of ConvLens against bare ONNX Runtime, and the report that runs them and prints ratios.
 */
package dev.convlens.benchmarks;

package dev.convlens.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** The progress line: what it is doing, redrawn in place on a terminal, whole lines elsewhere, nothing for one step. */
class ProgressTest {
    @Test
    void aTerminalGetsOneBarRedrawnInPlace() {
        StringWriter text = new StringWriter();
        Progress progress = new Progress(new PrintWriter(text, true), "cropping", 4, "images", true);
        for (int i = 0; i < 4; i++) {
            progress.step();
        }
        String[] draws = text.toString().split("\r", -1);
        assertThat(draws).hasSize(5); // before the first \r: nothing
        assertThat(draws[1]).startsWith("[#######.......................] cropping: 1/4 images, ETA ");
        assertThat(draws[4]).startsWith("[##############################] cropping: 4/4 images, in ").endsWith("\n");
        assertThat(text.toString()).containsOnlyOnce("\n");
    }

    @Test
    void aFileGetsPlainLinesAndTheLast() {
        StringWriter text = new StringWriter();
        Progress progress = new Progress(new PrintWriter(text, true), "reading", 1000, "images", false);
        for (int i = 0; i < 1000; i++) {
            progress.step();
        }
        assertThat(text.toString()).doesNotContain("\r").startsWith("reading: 1/1000 images, ETA ")
                .contains("\nreading: 1000/1000 images, in ");
        assertThat(text.toString().lines().count()).isLessThan(20); // at most one a second, and the last

        StringWriter single = new StringWriter();
        new Progress(new PrintWriter(single, true), "reading", 1, "images", false).step();
        assertThat(single.toString()).isEmpty();
    }
}

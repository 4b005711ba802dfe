package dev.convlens.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** The progress line: redrawn in place on a terminal, whole lines elsewhere, nothing for one image. */
class ProgressTest {
    @Test
    void aTerminalGetsOneBarRedrawnInPlace() {
        StringWriter text = new StringWriter();
        Progress progress = new Progress(new PrintWriter(text, true), 4, true);
        for (int i = 0; i < 4; i++) {
            progress.step();
        }
        String[] draws = text.toString().split("\r", -1);
        assertThat(draws).hasSize(5); // before the first \r: nothing
        assertThat(draws[1]).startsWith("[#######.......................] 1/4 images, ETA ");
        assertThat(draws[4]).startsWith("[##############################] 4/4 images, in ").endsWith("\n");
        assertThat(text.toString()).containsOnlyOnce("\n");
    }

    @Test
    void aFileGetsPlainLinesAndTheLast() {
        StringWriter text = new StringWriter();
        Progress progress = new Progress(new PrintWriter(text, true), 1000, false);
        for (int i = 0; i < 1000; i++) {
            progress.step();
        }
        assertThat(text.toString()).doesNotContain("\r").startsWith("1/1000 images, ETA ")
                .contains("\n1000/1000 images, in ");
        assertThat(text.toString().lines().count()).isLessThan(20); // at most one a second, and the last

        StringWriter single = new StringWriter();
        new Progress(new PrintWriter(single, true), 1, false).step();
        assertThat(single.toString()).isEmpty();
    }
}

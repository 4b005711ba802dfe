package dev.convlens.image;

import dev.convlens.ImageException;

/**
 * Counts a JPEG's scans before it is decoded. Each scan of a progressive JPEG is a pass over the whole image, and
 * nothing in the format bounds their number: a 16 MB file of 20,000 repeated scans of a 512x512 image took 15 s to
 * decode. Encoders write about 10 (libjpeg's default script) and rarely more than a few dozen.
 */
final class JpegScans {
    /** The most scans accepted, far above any encoder's script. */
    static final int MAX_SCANS = 1000;

    private JpegScans() {
    }

    /**
     * Refuses a JPEG of more than {@link #MAX_SCANS} scans.
     *
     * @throws ImageException if the file has too many scans
     */
    static void check(byte[] jpeg, String source) {
        if (count(jpeg, MAX_SCANS + 1) > MAX_SCANS) {
            throw new ImageException("image " + source + " has more than " + MAX_SCANS + " scans; each is a pass"
                    + " over the whole image, and encoders write about 10. The file is damaged or made to stall"
                    + " decoders: re-encode it");
        }
    }

    /**
     * Counts the scans (SOS segments), up to {@code stopAt}. Walks the marker segments, skipping each scan's
     * entropy-coded data up to the next marker; where the file stops making sense, counting stops and the decoder
     * says what is wrong.
     */
    static int count(byte[] jpeg, int stopAt) {
        int scans = 0;
        int i = 2; // after SOI
        while (scans < stopAt && i + 3 < jpeg.length && (jpeg[i] & 0xFF) == 0xFF) {
            int marker = jpeg[i + 1] & 0xFF;
            if (marker == 0xFF) { // a fill byte
                i++;
                continue;
            }
            if (marker == 0xD9) { // EOI
                break;
            }
            if (marker == 0x01 || marker >= 0xD0 && marker <= 0xD7) { // TEM and RSTn stand alone
                i += 2;
                continue;
            }
            i += 2 + ((jpeg[i + 2] & 0xFF) << 8 | jpeg[i + 3] & 0xFF);
            if (marker == 0xDA) {
                scans++;
                i = nextMarker(jpeg, i);
            }
        }
        return scans;
    }

    /** The next marker after entropy-coded data: 0xFF followed by neither 0 (a stuffed 0xFF) nor RSTn. */
    private static int nextMarker(byte[] jpeg, int from) {
        for (int i = from; i + 1 < jpeg.length; i++) {
            if ((jpeg[i] & 0xFF) == 0xFF) {
                int next = jpeg[i + 1] & 0xFF;
                if (next != 0 && !(next >= 0xD0 && next <= 0xD7)) {
                    return i;
                }
            }
        }
        return jpeg.length;
    }
}

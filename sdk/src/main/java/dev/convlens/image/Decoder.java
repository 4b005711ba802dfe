package dev.convlens.image;

import dev.convlens.ImageException;
import dev.convlens.ImageTooLargeException;
import java.awt.Dimension;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferInt;
import java.awt.image.IndexColorModel;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.Raster;
import java.awt.image.SinglePixelPackedSampleModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import javax.imageio.IIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageInputStreamImpl;
import org.apache.commons.imaging.AbstractImageParser;
import org.apache.commons.imaging.ImageFormat;
import org.apache.commons.imaging.ImageFormats;
import org.apache.commons.imaging.Imaging;
import org.apache.commons.imaging.common.ImageMetadata;
import org.apache.commons.imaging.formats.jpeg.JpegImageMetadata;
import org.apache.commons.imaging.formats.tiff.TiffField;
import org.apache.commons.imaging.formats.tiff.TiffImageMetadata;
import org.apache.commons.imaging.formats.tiff.constants.TiffTagConstants;
import org.apache.commons.imaging.formats.webp.WebPImageMetadata;

/**
 * Decodes an image file into upright 8-bit RGB pixels.
 *
 * <p>ImageIO reads JPEG, PNG, BMP, GIF, TIFF and, through TwelveMonkeys' plugin, WebP; Commons Imaging reads the
 * rest. The size is read from the header and checked against a pixel limit before anything is decoded. Integer
 * samples are read from the raster itself, not through {@code BufferedImage.getRGB()}, which converts gray images
 * through a linear color space and shifts their values. Alpha is composited over white; CMYK is converted the way
 * Pillow does; 16-bit samples keep their high byte, samples of fewer than 8 bits are stretched to 0..255. Files with
 * float or 32-bit samples are refused: they have no agreed scale. A BufferedImage with such samples is read by
 * {@code getRGB()}, Java2D's own reading of it.
 */
public final class Decoder {
    /** The most pixels an image may have, whatever the limit: three bytes each must fit one Java array. */
    private static final long MAX_PIXELS = (Integer.MAX_VALUE - 8) / 3;

    private Decoder() {
    }

    /**
     * Reads and decodes an image file.
     *
     * @throws ImageException if the file is missing, empty, corrupt or of an unsupported format
     * @throws ImageTooLargeException if it declares more than {@code maxPixels} pixels
     */
    public static Pixels read(Path path, long maxPixels) {
        return read(path, maxPixels, null);
    }

    /**
     * Reads and decodes an image file that is about to be resized with nearest neighbours: a JPEG whose sides are
     * whole multiples of the new size, with no EXIF turn, comes back at that size, decoded only where the resize
     * reads (twice as fast on a 1080x1080 photo to 180x180); any other image comes back whole.
     *
     * @param resize the resize to come, or null
     * @throws ImageException if the file is missing, empty, corrupt or of an unsupported format
     * @throws ImageTooLargeException if it declares more than {@code maxPixels} pixels
     */
    public static Pixels read(Path path, long maxPixels, NearestResize resize) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new ImageException("image file not found: " + path.toAbsolutePath(), e);
        } catch (IOException e) {
            throw new ImageException("cannot read image file " + path + ": " + e.getMessage(), e);
        }
        return decode(bytes, path.toString(), maxPixels, resize);
    }

    /**
     * Decodes an image held in memory.
     *
     * @param source what to call the image in messages, e.g. its path
     * @throws ImageException if the bytes are empty, corrupt or of an unsupported format
     * @throws ImageTooLargeException if they declare more than {@code maxPixels} pixels
     */
    public static Pixels decode(byte[] bytes, String source, long maxPixels) {
        return decode(bytes, source, maxPixels, null);
    }

    /**
     * Decodes an image held in memory that is about to be resized with nearest neighbours; see
     * {@link #read(Path, long, NearestResize)}.
     *
     * @param source what to call the image in messages, e.g. its path
     * @param resize the resize to come, or null
     * @throws ImageException if the bytes are empty, corrupt or of an unsupported format
     * @throws ImageTooLargeException if they declare more than {@code maxPixels} pixels
     */
    public static Pixels decode(byte[] bytes, String source, long maxPixels, NearestResize resize) {
        if (bytes.length == 0) {
            throw new ImageException("image is empty (0 bytes): " + source);
        }
        if (Icon.is(bytes)) {
            long[] sizes = Icon.sizes(bytes, source);
            checkPixels(source, sizes[0], sizes[1], maxPixels);
            if (sizes[2] > maxPixels) {
                throw new ImageTooLargeException("image " + source + " is an icon whose images hold " + sizes[2]
                        + " pixels together, more than the limit of " + maxPixels + ". Raise the limit with"
                        + " Options.maxPixels(...) if you trust the source.", sizes[0], sizes[1], maxPixels);
            }
            return fromImage(Icon.decode(bytes, source));
        }
        ImageFormat format = guessFormat(bytes);
        checkComplete(bytes, source, format);
        long[] size = checkSize(bytes, source, format, maxPixels);
        int orientation = orientation(bytes, format);
        // the subsampled pixels are the resize's only for the stored orientation
        int[] steps = format == ImageFormats.JPEG && orientation == 1 && resize != null
                ? resize.steps(size[0], size[1]) : null;
        BufferedImage image = decodeImage(bytes, source, format, steps);
        checkSamples(image, source);
        return Orientation.apply(fromImage(image), orientation);
    }

    /** Flattens an already decoded image; no orientation is applied, since it has no EXIF. */
    public static Pixels fromImage(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        byte[] rgb = new byte[w * h * 3];
        if (copyCommonLayout(image, rgb)) {
            return new Pixels(w, h, rgb);
        }
        ColorModel cm = image.getColorModel();
        Raster raster = image.getRaster();
        if (cm instanceof IndexColorModel icm) {
            int[] palette = new int[icm.getMapSize()];
            icm.getRGBs(palette);
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                raster.getSamples(0, y, w, 1, 0, row);
                for (int x = 0; x < w; x++) {
                    int argb = row[x] < palette.length ? palette[row[x]] : 0;
                    put(rgb, (y * w + x) * 3, argb >> 16 & 0xFF, argb >> 8 & 0xFF, argb & 0xFF, argb >>> 24, false);
                }
            }
            return new Pixels(w, h, rgb);
        }
        if (!integerSamples(raster)) {
            return viaGetRgb(image, rgb);
        }
        int bands = raster.getNumBands();
        int colors = cm.getNumColorComponents();
        boolean alpha = cm.hasAlpha() && bands > colors;
        boolean premultiplied = alpha && cm.isAlphaPremultiplied();
        int space = cm.getColorSpace().getType();
        int[] bits = raster.getSampleModel().getSampleSize();
        int[] row = new int[w * bands];
        for (int y = 0; y < h; y++) {
            raster.getPixels(0, y, w, 1, row);
            for (int x = 0; x < w; x++) {
                int s = x * bands;
                int a = alpha ? level(row[s + colors], bits[colors]) : 255;
                int r;
                int g;
                int b;
                if (space == ColorSpace.TYPE_CMYK && colors == 4) {
                    int k = 255 - level(row[s + 3], bits[3]);
                    r = cmyk(level(row[s], bits[0]), k);
                    g = cmyk(level(row[s + 1], bits[1]), k);
                    b = cmyk(level(row[s + 2], bits[2]), k);
                } else if (colors >= 3) {
                    r = level(row[s], bits[0]);
                    g = level(row[s + 1], bits[1]);
                    b = level(row[s + 2], bits[2]);
                } else {
                    r = g = b = level(row[s], bits[0]);
                }
                put(rgb, (y * w + x) * 3, r, g, b, a, premultiplied);
            }
        }
        return new Pixels(w, h, rgb);
    }

    /**
     * Copies the two layouts most images arrive in, JPEG's 3-byte BGR and Java2D's packed RGB, straight from their
     * arrays. Returns false for any other layout, which the general path reads sample by sample.
     */
    private static boolean copyCommonLayout(BufferedImage image, byte[] rgb) {
        Raster raster = image.getRaster();
        int w = image.getWidth();
        int h = image.getHeight();
        if (image.getType() == BufferedImage.TYPE_3BYTE_BGR
                && raster.getDataBuffer() instanceof DataBufferByte buffer
                && raster.getSampleModel() instanceof PixelInterleavedSampleModel model
                && model.getPixelStride() == 3 && model.getScanlineStride() == w * 3
                && raster.getSampleModelTranslateX() == 0 && raster.getSampleModelTranslateY() == 0) {
            byte[] bgr = buffer.getData();
            int offset = buffer.getOffset();
            for (int i = 0; i < w * h * 3; i += 3) {
                rgb[i] = bgr[offset + i + 2];
                rgb[i + 1] = bgr[offset + i + 1];
                rgb[i + 2] = bgr[offset + i];
            }
            return true;
        }
        if (image.getType() == BufferedImage.TYPE_INT_RGB
                && raster.getDataBuffer() instanceof DataBufferInt buffer
                && raster.getSampleModel() instanceof SinglePixelPackedSampleModel model
                && model.getScanlineStride() == w
                && raster.getSampleModelTranslateX() == 0 && raster.getSampleModelTranslateY() == 0) {
            int[] packed = buffer.getData();
            int offset = buffer.getOffset();
            for (int i = 0, o = 0; i < w * h; i++, o += 3) {
                int p = packed[offset + i];
                rgb[o] = (byte) (p >> 16);
                rgb[o + 1] = (byte) (p >> 8);
                rgb[o + 2] = (byte) p;
            }
            return true;
        }
        return false;
    }

    /** Whether every band holds integer samples of 1 to 16 bits, which {@link #level} scales. */
    private static boolean integerSamples(Raster raster) {
        int type = raster.getTransferType();
        return type != DataBuffer.TYPE_FLOAT && type != DataBuffer.TYPE_DOUBLE
                && Arrays.stream(raster.getSampleModel().getSampleSize()).allMatch(b -> b >= 1 && b <= 16);
    }

    /**
     * A sample of {@code bits} bits as an 8-bit level: wider ones keep their top 8 bits (Pillow's 16-bit to 8),
     * narrower ones are stretched to 0..255 with rounding (Pillow's 1-, 2- and 4-bit gray; Java2D's 5- and 6-bit
     * fields of 565 and 555 pixels).
     */
    private static int level(int sample, int bits) {
        if (bits >= 8) {
            return sample >> (bits - 8);
        }
        int max = (1 << bits) - 1;
        return (sample * 255 + max / 2) / max;
    }

    /**
     * Layouts of float or wider integer samples, only from a BufferedImage handed over (files with them are
     * refused), as Java2D's own {@code getRGB} reads them, composited over white where they have alpha.
     */
    private static Pixels viaGetRgb(BufferedImage image, byte[] rgb) {
        int w = image.getWidth();
        int[] row = new int[w];
        for (int y = 0; y < image.getHeight(); y++) {
            image.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                int argb = row[x];
                put(rgb, (y * w + x) * 3, argb >> 16 & 0xFF, argb >> 8 & 0xFF, argb & 0xFF, argb >>> 24, false);
            }
        }
        return new Pixels(w, image.getHeight(), rgb);
    }

    /**
     * Refuses a decoded file whose samples have no agreed scale: 32-bit integers and floats (Pillow clips them to
     * 0..255, Java2D reads floats as 0..1), so no picture of them would be right.
     */
    private static void checkSamples(BufferedImage image, String source) {
        Raster raster = image.getRaster();
        if (Arrays.stream(raster.getSampleModel().getSampleSize()).anyMatch(b -> b < 1)) {
            throw new ImageException("image " + source + " declares samples of 0 bits; the file is corrupt");
        }
        int type = raster.getTransferType();
        String samples = type == DataBuffer.TYPE_FLOAT ? "32-bit float" : type == DataBuffer.TYPE_DOUBLE
                ? "64-bit float" : Arrays.stream(raster.getSampleModel().getSampleSize()).anyMatch(b -> b > 16)
                ? Arrays.stream(raster.getSampleModel().getSampleSize()).max().getAsInt() + "-bit integer" : null;
        if (samples != null) {
            throw new ImageException("image " + source + " has " + samples + " samples, which have no agreed scale"
                    + " (Pillow clips them to 0..255, Java2D reads floats as 0..1); convert it to 8- or 16-bit"
                    + " samples first, or decode it yourself and pass a BufferedImage");
        }
    }

    /** Pillow's CMYK to RGB: {@code (255 - C) * (255 - K) / 255}, with k already inverted. */
    private static int cmyk(int c, int nk) {
        int t = c * nk + 128;
        return nk - (((t >> 8) + t) >> 8);
    }

    /** Stores a pixel composited over white. */
    private static void put(byte[] rgb, int i, int r, int g, int b, int a, boolean premultiplied) {
        if (a < 255) {
            int white = 255 * (255 - a);
            if (premultiplied) {
                r = r + (white + 127) / 255;
                g = g + (white + 127) / 255;
                b = b + (white + 127) / 255;
            } else {
                r = (r * a + white + 127) / 255;
                g = (g * a + white + 127) / 255;
                b = (b * a + white + 127) / 255;
            }
        }
        rgb[i] = (byte) Math.min(r, 255);
        rgb[i + 1] = (byte) Math.min(g, 255);
        rgb[i + 2] = (byte) Math.min(b, 255);
    }

    private static ImageFormat guessFormat(byte[] bytes) {
        try {
            return Imaging.guessFormat(bytes);
        } catch (IOException | RuntimeException e) {
            return ImageFormats.UNKNOWN;
        }
    }

    /** Refuses images whose header declares more pixels than the limit, before decoding them; else their size. */
    private static long[] checkSize(byte[] bytes, String source, ImageFormat format, long maxPixels) {
        // Commons Imaging misreads the height of a lossless WebP taller than 4096 (5000 as 1928): the WebP reader's
        // header comes first there
        long[] size = format == ImageFormats.WEBP ? headerSize(bytes) : null;
        if (size == null) {
            try {
                Dimension d = Imaging.getImageSize(bytes);
                size = new long[] {d.width, d.height};
            } catch (IOException | RuntimeException e) {
                size = headerSize(bytes);
                if (size == null) {
                    throw unreadable(source, format, e);
                }
            }
        }
        long w = size[0];
        long h = format == ImageFormats.BMP ? Math.abs(size[1]) : size[1]; // a negative height: rows top-down
        if (w <= 0 || h <= 0) {
            throw new ImageException("image " + source + " declares an empty size " + w + "x" + h
                    + "; the file is corrupt");
        }
        checkPixels(source, w, h, maxPixels);
        return new long[] {w, h};
    }

    /**
     * Refuses an image of more pixels than the limit.
     *
     * @param source names the image in the message
     * @throws ImageTooLargeException if {@code width * height} is over {@code maxPixels}
     */
    public static void checkPixels(String source, long width, long height, long maxPixels) {
        if (width * height > Math.min(maxPixels, MAX_PIXELS)) {
            if (width * height <= maxPixels) {
                throw new ImageTooLargeException("image " + source + " declares " + width + "x" + height + " = "
                        + (width * height) + " pixels, more than the " + MAX_PIXELS + " whose RGB values fit a Java"
                        + " array. Downscale it first.", width, height, MAX_PIXELS);
            }
            throw new ImageTooLargeException("image " + source + " declares " + width + "x" + height + " = "
                    + (width * height) + " pixels, more than the limit of " + maxPixels + ". Downscale it first, or"
                    + " raise the limit with Options.maxPixels(...) if you trust the source.", width, height,
                    maxPixels);
        }
    }

    /**
     * Refuses a WebP file shorter than its RIFF header says. The WebP reader decodes a cut lossless file without an
     * error or a warning, filling what is missing; libwebp, and so Pillow, refuse it.
     */
    private static void checkComplete(byte[] bytes, String source, ImageFormat format) {
        if (format != ImageFormats.WEBP || bytes.length < 8) {
            return;
        }
        long declared = 8 + ((bytes[4] & 0xFFL) | (bytes[5] & 0xFFL) << 8 | (bytes[6] & 0xFFL) << 16
                | (bytes[7] & 0xFFL) << 24);
        if (declared > bytes.length) {
            throw new ImageException("image " + source + " is truncated (" + bytes.length + " of the " + declared
                    + " bytes its header declares); the file was not copied completely");
        }
    }

    /** The size from ImageIO's reader, which reads only the header; null if no reader takes the bytes. */
    private static long[] headerSize(byte[] bytes) {
        try (ImageInputStream in = stream(bytes)) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                return null;
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                return new long[] {reader.getWidth(0), reader.getHeight(0)};
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Decodes with ImageIO's readers, else Commons Imaging's.
     *
     * @param steps where not null, ImageIO's reader reads every {@code steps[0]}-th column and {@code steps[1]}-th
     *     row from the middle of the first step on (Commons Imaging, for the JPEGs it has, decodes them whole)
     */
    private static BufferedImage decodeImage(byte[] bytes, String source, ImageFormat format, int[] steps) {
        if (format == ImageFormats.JPEG) {
            JpegScans.check(bytes, source);
        }
        try (ImageInputStream in = stream(bytes)) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (readers.hasNext()) {
                ImageReader reader = readers.next();
                List<String> warnings = new ArrayList<>();
                try {
                    reader.setInput(in, true, true);
                    reader.addIIOReadWarningListener((r, warning) -> warnings.add(warning));
                    ImageReadParam param = unconverted(reader);
                    if (steps != null) {
                        param.setSourceSubsampling(steps[0], steps[1], steps[0] / 2, steps[1] / 2);
                    }
                    BufferedImage image = reader.read(0, param);
                    for (String w : warnings) {
                        // libjpeg fills a truncated file's missing rows with gray and only warns
                        if (w.contains("Truncated") || w.contains("Premature end")) {
                            throw new ImageException("image " + source + " is truncated (" + w
                                    + "); the file was not copied completely");
                        }
                    }
                    return image;
                } finally {
                    reader.dispose();
                }
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof ImageException ie) {
                throw ie;
            }
            throw unreadable(source, format, e);
        }
        try {
            return Imaging.getBufferedImage(bytes);
        } catch (IOException | RuntimeException e) {
            throw unreadable(source, format, e);
        }
    }

    /**
     * Read parameters that keep a JPEG's samples as stored. Given an embedded ICC profile, ImageIO's JPEG reader
     * converts to sRGB by default; Pillow, Keras and torchvision do not, so the model saw the stored values.
     */
    private static ImageReadParam unconverted(ImageReader reader) throws IOException {
        ImageReadParam param = reader.getDefaultReadParam();
        if (reader.getFormatName().equalsIgnoreCase("jpeg")) {
            for (Iterator<ImageTypeSpecifier> types = reader.getImageTypes(0); types.hasNext(); ) {
                ImageTypeSpecifier type = types.next();
                ColorSpace space = type.getColorModel().getColorSpace();
                if (space.getType() == ColorSpace.TYPE_RGB && !space.isCS_sRGB()) {
                    param.setDestinationType(type); // the embedded profile's own space: no conversion
                    break;
                }
            }
        }
        return param;
    }

    private static ImageException unreadable(String source, ImageFormat format, Exception cause) {
        boolean decodable = hasDecoder(format);
        String what = format == ImageFormats.UNKNOWN ? "is not an image format ConvLens reads"
                : decodable ? "is " + format.getName() + " but cannot be decoded"
                : "is " + format.getName() + ", which ConvLens cannot decode";
        String fix = decodable ? " The file may be corrupt or truncated." : " Convert it to PNG or JPEG.";
        // the EOFException of a reader running past the end of the data has no message
        String reason = cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
        return new ImageException("image " + source + " " + what + " (" + reason + ")." + fix, cause);
    }

    /**
     * Whether a format recognized from its magic bytes has a decoder here, so that failing to decode it means a
     * damaged file. Commons Imaging recognizes some formats it has no reader for (JBIG2); WebP is read by
     * TwelveMonkeys' ImageIO plugin.
     */
    private static boolean hasDecoder(ImageFormat format) {
        return format == ImageFormats.WEBP || format != ImageFormats.UNKNOWN
                && AbstractImageParser.getAllImageParsers().stream().anyMatch(p -> p.canAcceptType(format));
    }

    private static ImageInputStream stream(byte[] bytes) {
        return new BytesInputStream(bytes);
    }

    /**
     * An ImageInputStream over bytes in memory that lets a reader run into their end a bounded number of times.
     * TwelveMonkeys' WebP reader reads ahead of its bitstream and catches the end-of-file this brings; on a lossless
     * bitstream that stops early it catches one per pixel, and so spent 5 s filling a 54-byte file's 16x3084 pixels
     * with garbage, where libwebp refuses the file. Its length stays unknown, as with ImageIO's own streams: given
     * it, the WebP reader refuses files compressed better than 2048:1, such as a plain 1000x1000 image in 86 bytes.
     */
    private static final class BytesInputStream extends ImageInputStreamImpl {
        /** Far more than a whole file takes (8 to 44 in the WebP files measured), far fewer than a broken one. */
        private static final int END_READS_ALLOWED = 1024;
        private final byte[] bytes;
        private int endReads;

        BytesInputStream(byte[] bytes) {
            this.bytes = bytes;
        }

        @Override
        public int read() throws IOException {
            bitOffset = 0;
            if (streamPos >= bytes.length) {
                return end();
            }
            return bytes[(int) streamPos++] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            bitOffset = 0;
            if (len == 0) {
                return 0;
            }
            if (streamPos >= bytes.length) {
                return end();
            }
            int n = (int) Math.min(len, bytes.length - streamPos);
            System.arraycopy(bytes, (int) streamPos, b, off, n);
            streamPos += n;
            return n;
        }

        private int end() throws IIOException {
            if (++endReads > END_READS_ALLOWED) {
                throw new IIOException("the image data ends early: the reader ran past its end "
                        + END_READS_ALLOWED + " times");
            }
            return -1;
        }
    }

    /**
     * The EXIF orientation of a JPEG, TIFF or WebP, or 1 when there is none or the metadata cannot be read. Other
     * formats' metadata is not read at all: a PNG's compressed text inflates whole in Commons Imaging (a 1 MB zTXt
     * chunk of zeros to 1 GB).
     */
    private static int orientation(byte[] bytes, ImageFormat format) {
        if (format != ImageFormats.JPEG && format != ImageFormats.TIFF && format != ImageFormats.WEBP) {
            return 1;
        }
        try {
            ImageMetadata metadata = Imaging.getMetadata(bytes);
            TiffImageMetadata exif = metadata instanceof JpegImageMetadata jpeg ? jpeg.getExif()
                    : metadata instanceof WebPImageMetadata webp ? webp.getExif()
                    : metadata instanceof TiffImageMetadata tiff ? tiff : null;
            if (exif == null) {
                return 1;
            }
            TiffField field = exif.findField(TiffTagConstants.TIFF_TAG_ORIENTATION);
            return field == null ? 1 : field.getIntValue();
        } catch (IOException | RuntimeException e) {
            return 1; // broken metadata does not stop a decodable image
        }
    }
}

package dev.shoal.e2e;

import dev.shoal.algorithms.data.IdxDataset;
import dev.shoal.algorithms.labelerrors.OutOfSampleProbabilities;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * The demo's data set with its planted problems, all drawn from one seed so a run can be repeated.
 * <p>
 * Labeled frames are Fashion-MNIST training images (Xiao, Rasul, Vollgraf 2017), the unlabeled pool its test images.
 * Every labeled frame has a camera ({@code cam-1}..{@code cam-4}, in turn). Planted:
 * <ul>
 *   <li>label flips: {@link #flipShare} of the careful labeler's labels are the class most confused with the true one
 *       ({@link #CONFUSABLE});</li>
 *   <li>a sloppy labeler: {@code sloppy-1} labels every third labeled frame, {@link #sloppyShare} of them wrong (a
 *       uniformly drawn other class);</li>
 *   <li>a failure slice: camera {@link #SLICE_CAMERA} is noisy and washed out (each pixel
 *       {@code 0.5 v + 0.25 + N(0, 0.4)} on a 0..1 scale), in the stored images themselves.</li>
 * </ul>
 * The model whose inferences the demo sends is computed here, not simulated: a multinomial logistic regression on the
 * pixels of the stored images ({@link OutOfSampleProbabilities#logisticProbe}), trained on the careful labeler's
 * labels (flips included) and 5-fold cross-validated, so each frame's probabilities come from a model that never saw
 * its label (Northcutt, Jiang, Chuang 2021, confident learning's out-of-sample probabilities).
 */
public final class DemoData {

    public static final String CAREFUL = "careful-1";
    public static final String SLOPPY = "sloppy-1";
    public static final String SLICE_CAMERA = "cam-3";
    public static final List<String> CLASSES = List.of(IdxDataset.FASHION_MNIST_CLASSES);
    /** Fashion-MNIST class index → the class it is most easily taken for. */
    static final int[] CONFUSABLE = {6, 3, 4, 4, 2, 7, 0, 9, 6, 7};

    final double flipShare = 0.05;
    final double sloppyShare = 0.20;

    /** One labeled frame: its true class, camera, the careful and (or -1) sloppy labels, the model's probabilities. */
    public record Labeled(String id, int truth, String camera, int careful, int sloppy, double[] probs) {
        public int predicted() {
            int best = 0;
            for (int k = 1; k < probs.length; k++) {
                if (probs[k] > probs[best]) {
                    best = k;
                }
            }
            return best;
        }
    }

    public record Unlabeled(String id, int truth, String camera) {
    }

    /** The stored images (as the cameras took them) of the labeled frames and of the pool, 0..255 row-major. */
    public final byte[][] trainImages;
    public final byte[][] poolImages;
    public final int rows;
    public final int cols;
    public final List<Labeled> labeled = new ArrayList<>();
    public final List<Unlabeled> unlabeled = new ArrayList<>();
    public final Set<String> flipped = new HashSet<>();

    public DemoData(IdxDataset train, IdxDataset pool, long seed) {
        Random random = new Random(seed);
        rows = train.rows();
        cols = train.cols();
        trainImages = captured(train, random);
        poolImages = captured(pool, random);
        int n = train.size();
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            order.add(i);
        }
        Collections.shuffle(order, random);
        Set<Integer> flips = new HashSet<>(order.subList(0, (int) Math.round(n * flipShare)));
        List<Integer> sloppyFrames = new ArrayList<>();
        for (int i = 0; i < n; i += 3) {
            sloppyFrames.add(i);
        }
        Collections.shuffle(sloppyFrames, random);
        Set<Integer> sloppyWrong = new HashSet<>(sloppyFrames.subList(0, (int) Math.round(sloppyFrames.size() * sloppyShare)));
        int[] careful = new int[n];
        int[] sloppy = new int[n];
        float[][] pixels = new float[n][];
        for (int i = 0; i < n; i++) {
            int truth = train.labels()[i];
            careful[i] = flips.contains(i) ? CONFUSABLE[truth] : truth;
            sloppy[i] = i % 3 != 0 ? -1 : sloppyWrong.contains(i) ? otherClass(truth, random) : truth;
            pixels[i] = new float[rows * cols];
            for (int j = 0; j < pixels[i].length; j++) {
                pixels[i][j] = (trainImages[i][j] & 0xff) / 255f;
            }
        }
        OutOfSampleProbabilities.ProbeOptions d = OutOfSampleProbabilities.ProbeOptions.defaults();
        double[][] probs = OutOfSampleProbabilities.logisticProbe(pixels, careful, CLASSES.size(),
                new OutOfSampleProbabilities.ProbeOptions(5, d.epochs(), d.learningRate(), d.l2(), d.batchSize(), d.threads(), seed));
        for (int i = 0; i < n; i++) {
            String id = "train-" + i;
            labeled.add(new Labeled(id, train.labels()[i], camera(i), careful[i], sloppy[i], probs[i]));
            if (flips.contains(i)) {
                flipped.add(id);
            }
        }
        for (int i = 0; i < pool.size(); i++) {
            unlabeled.add(new Unlabeled("pool-" + i, pool.labels()[i], camera(i)));
        }
    }

    static String camera(int i) {
        return "cam-" + (1 + i % 4);
    }

    private static int otherClass(int truth, Random random) {
        int k = random.nextInt(CLASSES.size() - 1);
        return k >= truth ? k + 1 : k;
    }

    /** The images as their cameras took them: camera {@link #SLICE_CAMERA}'s noisy and washed out. */
    private static byte[][] captured(IdxDataset images, Random random) {
        byte[][] out = new byte[images.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = images.images()[i].clone();
            if (camera(i).equals(SLICE_CAMERA)) {
                for (int j = 0; j < out[i].length; j++) {
                    double v = 0.5 * ((out[i][j] & 0xff) / 255.0) + 0.25 + 0.4 * random.nextGaussian();
                    out[i][j] = (byte) Math.round(255 * Math.min(1, Math.max(0, v)));
                }
            }
        }
        return out;
    }

    /** An image ({@code rows x cols}, row-major) as a {@code data:image/png;base64,...} URI (8-bit grey PNG). */
    public String pngDataUri(byte[] px) {
        BufferedImage img = new BufferedImage(cols, rows, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < rows; y++) {
            for (int x = 0; x < cols; x++) {
                int v = px[y * cols + x] & 0xff;
                img.getRaster().setSample(x, y, 0, v);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(out.toByteArray());
    }

    /** The share of labeled frames on which {@code labeler} ({@link #CAREFUL} or {@link #SLOPPY}) is wrong. */
    public double errorRate(String labeler) {
        int answered = 0;
        int wrong = 0;
        for (Labeled l : labeled) {
            int given = labeler.equals(CAREFUL) ? l.careful() : l.sloppy();
            if (given >= 0) {
                answered++;
                wrong += given != l.truth() ? 1 : 0;
            }
        }
        return answered == 0 ? 0 : (double) wrong / answered;
    }

    /** The share of labeled frames (of one camera, or all when null) the model predicts wrongly. */
    public double modelErrorRate(String camera) {
        int n = 0;
        int wrong = 0;
        for (Labeled l : labeled) {
            if (camera == null || camera.equals(l.camera())) {
                n++;
                wrong += l.predicted() != l.truth() ? 1 : 0;
            }
        }
        return n == 0 ? 0 : (double) wrong / n;
    }
}

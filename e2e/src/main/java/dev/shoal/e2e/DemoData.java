package dev.shoal.e2e;

import dev.shoal.algorithms.data.IdxDataset;

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
 *   <li>a failure slice: the model's predictions are derived from the true labels, right with probability
 *       {@link #modelAccuracy} except on camera {@link #SLICE_CAMERA} ({@link #sliceAccuracy}) and on class Shirt
 *       ({@link #shirtAccuracy}); a wrong prediction is the confusable class 60 % of the time.</li>
 * </ul>
 */
public final class DemoData {

    public static final String CAREFUL = "careful-1";
    public static final String SLOPPY = "sloppy-1";
    public static final String SLICE_CAMERA = "cam-3";
    public static final List<String> CLASSES = List.of(IdxDataset.FASHION_MNIST_CLASSES);
    /** Fashion-MNIST class index → the class it is most easily taken for. */
    static final int[] CONFUSABLE = {6, 3, 4, 4, 2, 7, 0, 9, 6, 7};
    static final int SHIRT = 6;

    final double flipShare = 0.05;
    final double sloppyShare = 0.20;
    final double modelAccuracy = 0.92;
    final double sliceAccuracy = 0.45;
    final double shirtAccuracy = 0.70;

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

    public final IdxDataset train;
    public final IdxDataset pool;
    public final List<Labeled> labeled = new ArrayList<>();
    public final List<Unlabeled> unlabeled = new ArrayList<>();
    public final Set<String> flipped = new HashSet<>();

    public DemoData(IdxDataset train, IdxDataset pool, long seed) {
        this.train = train;
        this.pool = pool;
        Random random = new Random(seed);
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
        for (int i = 0; i < n; i++) {
            int truth = train.labels()[i];
            String camera = camera(i);
            int careful = flips.contains(i) ? CONFUSABLE[truth] : truth;
            int sloppy = -1;
            if (i % 3 == 0) {
                sloppy = sloppyWrong.contains(i) ? otherClass(truth, random) : truth;
            }
            double accuracy = camera.equals(SLICE_CAMERA) ? sliceAccuracy : truth == SHIRT ? shirtAccuracy : modelAccuracy;
            String id = "train-" + i;
            labeled.add(new Labeled(id, truth, camera, careful, sloppy, probabilities(truth, accuracy, random)));
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

    /** A prediction right with probability {@code accuracy}; the predicted class gets 0.5..0.95, the runner-up most of the rest. */
    static double[] probabilities(int truth, double accuracy, Random random) {
        int predicted = truth;
        if (random.nextDouble() >= accuracy) {
            predicted = random.nextDouble() < 0.6 ? CONFUSABLE[truth] : otherClass(truth, random);
        }
        int second = predicted == truth ? CONFUSABLE[truth] : truth;
        double top = 0.5 + 0.45 * random.nextDouble();
        int c = CLASSES.size();
        double[] p = new double[c];
        double rest = (1 - top) * 0.4 / (c - 2);
        java.util.Arrays.fill(p, rest);
        p[predicted] = top;
        p[second] = (1 - top) * 0.6;
        return p;
    }

    /** Image {@code i} of {@code images} as a {@code data:image/png;base64,...} URI (8-bit grey PNG). */
    public static String pngDataUri(IdxDataset images, int i) {
        BufferedImage img = new BufferedImage(images.cols(), images.rows(), BufferedImage.TYPE_BYTE_GRAY);
        byte[] px = images.images()[i];
        for (int y = 0; y < images.rows(); y++) {
            for (int x = 0; x < images.cols(); x++) {
                int v = px[y * images.cols() + x] & 0xff;
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

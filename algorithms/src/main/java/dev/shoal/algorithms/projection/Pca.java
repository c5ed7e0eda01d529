package dev.shoal.algorithms.projection;

import java.util.Random;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.apache.commons.math3.linear.RealMatrix;

/**
 * Principal component analysis (Pearson 1901; Hotelling 1933): the eigenvectors of the covariance matrix
 * (commons-math {@link EigenDecomposition}) estimated on a random sample of at most {@code sampleSize}
 * rows, so memory is O(d²) beyond the input whatever n is. Used to initialise {@link Umap} and to reduce
 * raw pixels to embeddings in the label-noise evaluation.
 *
 * @param mean       column means (d)
 * @param components principal axes, largest variance first (components × d, unit length)
 * @param variance   variance along each axis
 */
public record Pca(float[] mean, float[][] components, double[] variance) {

    public static Pca fit(float[][] x, int numComponents, int sampleSize, long seed) {
        int n = x.length;
        if (n == 0) throw new IllegalArgumentException("PCA of an empty set");
        int d = x[0].length;
        if (numComponents < 1 || numComponents > d) {
            throw new IllegalArgumentException("numComponents must be in [1, " + d + "], was " + numComponents);
        }
        int m = Math.min(n, sampleSize);
        int[] rows = new int[m];
        Random r = new Random(seed);
        for (int i = 0; i < m; i++) rows[i] = m == n ? i : r.nextInt(n);
        double[] mean = new double[d];
        for (int i : rows) for (int j = 0; j < d; j++) mean[j] += x[i][j];
        for (int j = 0; j < d; j++) mean[j] /= m;
        double[][] cov = new double[d][d];
        double[] c = new double[d];
        for (int i : rows) {
            for (int j = 0; j < d; j++) c[j] = x[i][j] - mean[j];
            for (int a = 0; a < d; a++) {
                double ca = c[a];
                if (ca == 0) continue;
                double[] row = cov[a];
                for (int b = a; b < d; b++) row[b] += ca * c[b];
            }
        }
        for (int a = 0; a < d; a++) {
            for (int b = a; b < d; b++) {
                cov[a][b] /= Math.max(1, m - 1);
                cov[b][a] = cov[a][b];
            }
        }
        EigenDecomposition eig = new EigenDecomposition(new Array2DRowRealMatrix(cov, false));
        double[] values = eig.getRealEigenvalues();
        Integer[] order = new Integer[d];
        for (int i = 0; i < d; i++) order[i] = i;
        java.util.Arrays.sort(order, (p, q) -> Double.compare(values[q], values[p]));
        RealMatrix v = eig.getV();
        float[][] comps = new float[numComponents][d];
        double[] var = new double[numComponents];
        for (int q = 0; q < numComponents; q++) {
            var[q] = values[order[q]];
            for (int j = 0; j < d; j++) comps[q][j] = (float) v.getEntry(j, order[q]);
        }
        float[] fm = new float[d];
        for (int j = 0; j < d; j++) fm[j] = (float) mean[j];
        return new Pca(fm, comps, var);
    }

    /** Coordinates of one vector on the principal axes. */
    public float[] project(float[] xi) {
        float[] out = new float[components.length];
        for (int q = 0; q < components.length; q++) {
            float[] cq = components[q];
            float s = 0;
            for (int j = 0; j < cq.length; j++) s += (xi[j] - mean[j]) * cq[j];
            out[q] = s;
        }
        return out;
    }

    /** Projects every row. */
    public float[][] projectAll(float[][] x) {
        float[][] out = new float[x.length][];
        for (int i = 0; i < x.length; i++) out[i] = project(x[i]);
        return out;
    }

    /**
     * umap-learn's PCA initialisation: the first {@code dims} principal coordinates, scaled so the largest
     * absolute coordinate is 10, plus N(0, 1e-4²) noise; flat row-major n×dims.
     */
    static float[] initialLayout(float[][] x, int dims, long seed) {
        Pca p = fit(x, dims, 10_000, seed);
        int n = x.length;
        float[] y = new float[n * dims];
        float max = 0;
        for (int i = 0; i < n; i++) {
            float[] c = p.project(x[i]);
            for (int q = 0; q < dims; q++) {
                y[i * dims + q] = c[q];
                max = Math.max(max, Math.abs(c[q]));
            }
        }
        Random r = new Random(seed);
        float scale = max > 0 ? 10f / max : 1f;
        for (int i = 0; i < y.length; i++) y[i] = y[i] * scale + (float) (1e-4 * r.nextGaussian());
        return y;
    }
}

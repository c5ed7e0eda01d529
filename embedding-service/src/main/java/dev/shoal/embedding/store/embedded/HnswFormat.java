package dev.shoal.embedding.store.embedded;

import dev.shoal.embedding.store.VectorValidation;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.KnnVectorsReader;
import org.apache.lucene.codecs.KnnVectorsWriter;
import org.apache.lucene.codecs.hnsw.FlatVectorsFormat;
import org.apache.lucene.codecs.lucene99.Lucene99FlatVectorsFormat;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsReader;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsWriter;
import org.apache.lucene.index.SegmentReadState;
import org.apache.lucene.index.SegmentWriteState;
import org.apache.lucene.search.TaskExecutor;

import java.io.IOException;
import java.util.concurrent.ExecutorService;

/**
 * Lucene's HNSW vector format (Malkov and Yashunin, "Efficient and robust approximate nearest neighbor search
 * using Hierarchical Navigable Small World graphs", 2018) with our graph parameters, accepting up to
 * {@link VectorValidation#MAX_DIMENSION} dimensions instead of Lucene's default 1024 (image models often emit
 * 2048). It writes under the name of {@link Lucene99HnswVectorsFormat}, so any Lucene 9.12 reader opens the
 * index with the stock format; the dimension limit only applies when indexing.
 *
 * <p>It builds Lucene's own {@link Lucene99HnswVectorsWriter} and {@link Lucene99HnswVectorsReader} over a
 * {@link Lucene99FlatVectorsFormat} given {@link SimdVectorScorer#INSTANCE}, so graph building, merging and
 * searching score with SIMD lanes on Java 17 where Lucene would use its scalar code. Only the arithmetic
 * changes, never a byte on disk. Lucene picks the reader of an index it opens from disk by format name (SPI),
 * so this reader serves the segments the store's writer flushed or merged (see {@link SimdKnnVectorsFormat}).
 */
final class HnswFormat extends KnnVectorsFormat {

    private final FlatVectorsFormat flat;
    private final int maxConn;
    private final int beamWidth;
    private final int mergeWorkers;
    private final TaskExecutor mergeExec;

    /** @param mergeExecutor runs graph building on {@code mergeWorkers} threads during merges; null when 1 */
    HnswFormat(int maxConn, int beamWidth, int mergeWorkers, ExecutorService mergeExecutor) {
        super("Lucene99HnswVectorsFormat");
        // Lucene's format checks the parameters (maxConn <= 512, beamWidth <= 3200, workers vs executor)
        KnnVectorsFormat checked = mergeWorkers > 1
                ? new Lucene99HnswVectorsFormat(maxConn, beamWidth, mergeWorkers, mergeExecutor)
                : new Lucene99HnswVectorsFormat(maxConn, beamWidth);
        assert checked.getName().equals(getName());
        this.flat = new Lucene99FlatVectorsFormat(SimdVectorScorer.INSTANCE);
        this.maxConn = maxConn;
        this.beamWidth = beamWidth;
        this.mergeWorkers = mergeWorkers > 1 ? mergeWorkers : 1;
        this.mergeExec = mergeWorkers > 1 ? new TaskExecutor(mergeExecutor) : null;
    }

    @Override
    public KnnVectorsWriter fieldsWriter(SegmentWriteState state) throws IOException {
        return new Lucene99HnswVectorsWriter(state, maxConn, beamWidth, flat.fieldsWriter(state), mergeWorkers,
                mergeExec);
    }

    @Override
    public KnnVectorsReader fieldsReader(SegmentReadState state) throws IOException {
        return new Lucene99HnswVectorsReader(state, flat.fieldsReader(state));
    }

    @Override
    public int getMaxDimensions(String fieldName) {
        return VectorValidation.MAX_DIMENSION;
    }

    @Override
    public String toString() {
        return "HnswFormat(maxConn=" + maxConn + ", beamWidth=" + beamWidth + ", scorer=" + SimdVectorScorer.INSTANCE
                + ")";
    }
}

package dev.shoal.embedding.store.embedded;

import dev.shoal.embedding.store.VectorValidation;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.KnnVectorsReader;
import org.apache.lucene.codecs.KnnVectorsWriter;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.index.SegmentReadState;
import org.apache.lucene.index.SegmentWriteState;

import java.io.IOException;
import java.util.concurrent.ExecutorService;

/**
 * Lucene's HNSW vector format (Malkov and Yashunin, "Efficient and robust approximate nearest neighbor search
 * using Hierarchical Navigable Small World graphs", 2018) with our graph parameters, accepting up to
 * {@link VectorValidation#MAX_DIMENSION} dimensions instead of Lucene's default 1024 (image models often emit
 * 2048). It writes under the name of {@link Lucene99HnswVectorsFormat}, so any Lucene 9.12 reader opens the
 * index with the stock format; the dimension limit only applies when indexing.
 */
final class HnswFormat extends KnnVectorsFormat {

    private final KnnVectorsFormat delegate;
    private final int maxConn;
    private final int beamWidth;

    /** @param mergeExecutor runs graph building on {@code mergeWorkers} threads during merges; null when 1 */
    HnswFormat(int maxConn, int beamWidth, int mergeWorkers, ExecutorService mergeExecutor) {
        super("Lucene99HnswVectorsFormat");
        this.delegate = mergeWorkers > 1
                ? new Lucene99HnswVectorsFormat(maxConn, beamWidth, mergeWorkers, mergeExecutor)
                : new Lucene99HnswVectorsFormat(maxConn, beamWidth);
        this.maxConn = maxConn;
        this.beamWidth = beamWidth;
    }

    @Override
    public KnnVectorsWriter fieldsWriter(SegmentWriteState state) throws IOException {
        return delegate.fieldsWriter(state);
    }

    @Override
    public KnnVectorsReader fieldsReader(SegmentReadState state) throws IOException {
        return delegate.fieldsReader(state);
    }

    @Override
    public int getMaxDimensions(String fieldName) {
        return VectorValidation.MAX_DIMENSION;
    }

    @Override
    public String toString() {
        return "HnswFormat(maxConn=" + maxConn + ", beamWidth=" + beamWidth + ")";
    }
}

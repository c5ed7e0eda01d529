package dev.shoal.embedding.store.embedded;

import org.apache.lucene.codecs.Codec;
import org.apache.lucene.codecs.KnnVectorsReader;
import org.apache.lucene.codecs.perfield.PerFieldKnnVectorsFormat;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.SegmentReadState;
import org.apache.lucene.index.SegmentReader;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.TopKnnCollector;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.util.hnsw.RandomAccessVectorValues;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The SIMD scorer changes arithmetic only: an index the store's codec writes is a stock Lucene 9.12 index (same
 * codec and format names, opened and searched by a plain {@link DirectoryReader} with the same top-k), and an index
 * the stock codec writes is read and searched by the store's reader with the same top-k.
 */
class SimdHnswFormatCompatibilityTest {

    private static final int DIM = 33;
    private static final int DOCS = 1500;
    private static final int K = 10;
    private static final String FIELD = "vector_33";

    @TempDir
    Path dir;

    private static List<float[]> vectors(long seed, int count) {
        Random rnd = new Random(seed);
        List<float[]> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            float[] v = new float[DIM];
            for (int j = 0; j < DIM; j++) v[j] = (float) rnd.nextGaussian();
            out.add(v);
        }
        return out;
    }

    private static void write(Directory directory, Codec codec, List<float[]> docs, int segments) throws IOException {
        IndexWriterConfig config = new IndexWriterConfig();
        if (codec != null) config.setCodec(codec);
        try (IndexWriter writer = new IndexWriter(directory, config)) {
            addAndMerge(writer, docs, segments);
        }
    }

    /** {@code segments} segments of about equal size (a flush after each), then a merge to one through the format. */
    private static void addAndMerge(IndexWriter writer, List<float[]> docs, int segments) throws IOException {
        int size = docs.size() / segments;
        for (int i = 0; i < docs.size(); i++) {
            Document doc = new Document();
            doc.add(new StringField("id", Integer.toString(i), Field.Store.YES));
            doc.add(new KnnFloatVectorField(FIELD, docs.get(i), VectorSimilarityFunction.COSINE));
            writer.addDocument(doc);
            if ((i + 1) % size == 0 && i + 1 < docs.size()) writer.flush();
        }
        writer.forceMerge(1);
    }

    private static int[] topK(IndexSearcher searcher, float[] query) throws IOException {
        TopDocs top = searcher.search(new KnnFloatVectorQuery(FIELD, query, K), K);
        int[] ids = new int[top.scoreDocs.length];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = Integer.parseInt(searcher.storedFields().document(top.scoreDocs[i].doc).get("id"));
        }
        return ids;
    }

    private static HnswFormat format() {
        return new HnswFormat(16, 100, 1, null);
    }

    @Test
    void anIndexWrittenWithTheSimdFormatIsAStockIndexWithTheSameTopK() throws IOException {
        List<float[]> docs = vectors(11, DOCS);
        List<float[]> queries = vectors(12, 25);
        try (Directory directory = FSDirectory.open(dir)) {
            Codec codec = LuceneVectorStore.codec(format());
            IndexWriterConfig config = new IndexWriterConfig().setCodec(codec);
            try (IndexWriter writer = new IndexWriter(directory, config)) {
                addAndMerge(writer, docs, 2);
                writer.commit();
                // the writer's near-real-time reader reads its segments through the SIMD format
                try (DirectoryReader simdReader = DirectoryReader.open(writer);
                     DirectoryReader stockReader = DirectoryReader.open(directory)) {
                    SegmentReader simdLeaf = (SegmentReader) simdReader.leaves().get(0).reader();
                    assertInstanceOf(SimdKnnVectorsFormat.Reader.class, simdLeaf.getVectorReader());
                    SegmentReader stockLeaf = (SegmentReader) stockReader.leaves().get(0).reader();
                    assertEquals("Lucene912", stockLeaf.getSegmentInfo().info.getCodec().getName());
                    FieldInfo fi = stockLeaf.getFieldInfos().fieldInfo(FIELD);
                    assertEquals("Lucene99HnswVectorsFormat", fi.getAttribute(PerFieldKnnVectorsFormat.PER_FIELD_FORMAT_KEY));
                    assertInstanceOf(PerFieldKnnVectorsFormat.FieldsReader.class, stockLeaf.getVectorReader());
                    IndexSearcher simd = new IndexSearcher(simdReader);
                    IndexSearcher stock = new IndexSearcher(stockReader);
                    for (float[] q : queries) {
                        assertArrayEquals(topK(stock, q), topK(simd, q));
                    }
                }
            }
        }
    }

    @Test
    void anIndexWrittenWithTheStockFormatIsSearchedByTheSimdReaderWithTheSameTopK() throws IOException {
        List<float[]> docs = vectors(21, DOCS);
        List<float[]> queries = vectors(22, 25);
        try (Directory directory = FSDirectory.open(dir)) {
            write(directory, null, docs, 2);
            try (DirectoryReader reader = DirectoryReader.open(directory)) {
                IndexSearcher stock = new IndexSearcher(reader);
                LeafReaderContext leaf = reader.leaves().get(0);
                SegmentReader segment = (SegmentReader) leaf.reader();
                SegmentReadState state = new SegmentReadState(directory, segment.getSegmentInfo().info,
                        segment.getFieldInfos(), IOContext.READ);
                Codec codec = LuceneVectorStore.codec(format());
                try (KnnVectorsReader simd = codec.knnVectorsFormat().fieldsReader(state)) {
                    assertNotNull(simd.getFloatVectorValues(FIELD));
                    for (float[] q : queries) {
                        TopKnnCollector collector = new TopKnnCollector(K, Integer.MAX_VALUE);
                        simd.search(FIELD, q, collector, null);
                        ScoreDoc[] hits = collector.topDocs().scoreDocs;
                        int[] ids = new int[hits.length];
                        for (int i = 0; i < hits.length; i++) {
                            ids[i] = Integer.parseInt(segment.storedFields().document(hits[i].doc).get("id"));
                        }
                        int[] expected = topK(stock, q);
                        assertArrayEquals(expected, ids);
                        // and the scores agree with the stock reader's within float rounding
                        TopDocs stockTop = stock.search(new KnnFloatVectorQuery(FIELD, q, K), K);
                        for (int i = 0; i < hits.length; i++) {
                            assertEquals(stockTop.scoreDocs[i].score, hits[i].score, 1e-5);
                        }
                    }
                }
            }
        }
    }

    @Test
    void anIndexWrittenAndMergedWithTheSimdFormatOpensWithTheStockCodec() throws IOException {
        List<float[]> docs = vectors(31, DOCS);
        try (Directory directory = FSDirectory.open(dir)) {
            write(directory, LuceneVectorStore.codec(format()), docs, 2);
            try (DirectoryReader reader = DirectoryReader.open(directory)) {
                assertEquals(1, reader.leaves().size());
                assertEquals(DOCS, reader.numDocs());
                float[] q = docs.get(123);
                assertEquals(123, topK(new IndexSearcher(reader), q)[0]);
            }
        }
    }

    /**
     * A merge builds its graph over the merged segment's vectors read from its file; the scorer packs those on the
     * heap (SimdVectorScorer.packOffHeap). The values of a real merged segment are such file-backed values, and the
     * graph merged from three segments finds the exact 10 nearest neighbours (brute force) of fresh queries (searched
     * with 50 candidates) as well as the graph the stock codec merges from the same segments.
     */
    @Test
    void aGraphMergedFromVectorsPackedOnTheHeapFindsTheExactNearestNeighbours() throws IOException {
        List<float[]> docs = vectors(41, DOCS);
        List<float[]> queries = vectors(42, 50);
        double packed;
        try (Directory directory = FSDirectory.open(dir.resolve("packed"))) {
            write(directory, LuceneVectorStore.codec(format()), docs, 3);
            try (DirectoryReader reader = DirectoryReader.open(directory)) {
                FloatVectorValues merged = reader.leaves().get(0).reader().getFloatVectorValues(FIELD);
                RandomAccessVectorValues.Floats fromFile = assertInstanceOf(RandomAccessVectorValues.Floats.class, merged);
                assertNotNull(fromFile.getSlice(), "a merged segment's vectors are read from its file");
                assertInstanceOf(SimdVectorScorer.PackedSupplier.class, SimdVectorScorer.INSTANCE
                        .getRandomVectorScorerSupplier(VectorSimilarityFunction.COSINE, fromFile));
                packed = recallAt10(new IndexSearcher(reader), docs, queries);
            }
        }
        double stock;
        try (Directory directory = FSDirectory.open(dir.resolve("stock"))) {
            write(directory, null, docs, 3);
            try (DirectoryReader reader = DirectoryReader.open(directory)) {
                stock = recallAt10(new IndexSearcher(reader), docs, queries);
            }
        }
        assertTrue(packed >= 0.95, "recall@10 of the merged graph: " + packed);
        assertTrue(packed >= stock - 0.01, "recall@10 " + packed + ", stock codec " + stock);
    }

    private static double recallAt10(IndexSearcher searcher, List<float[]> docs, List<float[]> queries) throws IOException {
        int found = 0;
        for (float[] q : queries) {
            Integer[] order = new Integer[docs.size()];
            for (int i = 0; i < order.length; i++) order[i] = i;
            java.util.Arrays.sort(order, (x, y) -> Float.compare(
                    VectorSimilarityFunction.COSINE.compare(q, docs.get(y)),
                    VectorSimilarityFunction.COSINE.compare(q, docs.get(x))));
            java.util.Set<Integer> exact = new java.util.HashSet<>(List.of(order).subList(0, K));
            TopDocs top = searcher.search(new KnnFloatVectorQuery(FIELD, q, 50), K);
            for (ScoreDoc sd : top.scoreDocs) {
                if (exact.contains(Integer.parseInt(searcher.storedFields().document(sd.doc).get("id")))) found++;
            }
        }
        return found / (double) (K * queries.size());
    }
}

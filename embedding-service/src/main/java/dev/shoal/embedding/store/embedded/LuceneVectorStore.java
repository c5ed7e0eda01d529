package dev.shoal.embedding.store.embedded;

import dev.shoal.embedding.store.FieldUpdate;
import dev.shoal.embedding.store.SearchHit;
import dev.shoal.embedding.store.SearchQuery;
import dev.shoal.embedding.store.VectorFilter;
import dev.shoal.embedding.store.VectorRecord;
import dev.shoal.embedding.store.VectorStore;
import dev.shoal.embedding.store.VectorValidation;
import org.apache.lucene.codecs.Codec;
import org.apache.lucene.codecs.FilterCodec;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene912.Lucene912Codec;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.Weight;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.Bits;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The embedded vector store: one Lucene index on disk, an HNSW graph per vector dimension
 * ({@code KnnFloatVectorField} "vector_&lt;dim&gt;", cosine), keyword fields for the filters, and filtered k-NN via
 * {@link KnnFloatVectorQuery} with a filter query (Lucene falls back to an exact scan when the filter is selective).
 *
 * <p>Upsert is {@link IndexWriter#updateDocument} on the term {@code key = frameId:modelVersion}, so a replay
 * overwrites. Reads go through a near-real-time {@link SearcherManager}: a read made after an upsert returned
 * refreshes first (read-your-writes). Commits happen every {@code commitInterval} when something changed, and on
 * {@link #close()}; {@link #whenDurable()} completes at the commit after it is called (with a zero interval it asks
 * for one right away). Thread safe.
 */
public final class LuceneVectorStore implements VectorStore {

    static final String KEY = "key";
    static final String FRAME_ID = "frameId";
    static final String MODEL_VERSION = "modelVersion";
    static final String DATASET_ID = "datasetId";
    static final String SPLIT = "split";
    static final String LABEL = "label";
    static final String PREDICTION = "prediction";
    static final String LABELED = "labeled";
    static final String LABELER_ID = "labelerId";
    static final String CONTENT_HASH = "contentHash";
    static final String DIM = "dim";

    /**
     * Default HNSW parameters. M 16 is Lucene's default. The beam is 64 instead of Lucene's 100: building the graphs
     * (inserts, and the merges that insert every vector again into larger graphs) cost 1.45 instead of 2.12 ms of CPU
     * per vector over the first 100,000 written as the pipeline writes them, with the same recall@10 (0.9893 at ef 50;
     * one run each, synthetic clustered 384-d data), and at 100k merged ef 50 still reaches 0.9977
     * (docs/benchmarks/ann.md, "Beam width").
     */
    public static final int DEFAULT_MAX_CONN = 16;
    public static final int DEFAULT_BEAM_WIDTH = 64;
    /** Default candidates kept while searching the graph (HNSW ef); a query uses max(k, this). */
    public static final int DEFAULT_EF_SEARCH = 50;

    private final Path path;
    private final Directory directory;
    private final IndexWriter writer;
    private final SearcherManager searchers;
    private final ScheduledExecutorService committer;
    private final AtomicLong writeGeneration = new AtomicLong();
    private final AtomicLong visibleGeneration = new AtomicLong();
    private final Map<String, Integer> dimensions = new ConcurrentHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final java.util.concurrent.ExecutorService mergeExecutor;
    /**
     * Upserts share the read side (IndexWriter is thread-safe, so concurrent upsert batches index in parallel);
     * {@link #updateFields}' read-modify-write takes the write side, so it never puts back a vector an upsert replaced.
     */
    private final ReentrantReadWriteLock updateGuard = new ReentrantReadWriteLock();
    private volatile int efSearch;
    /** Callers of {@link #whenDurable()} waiting for the next commit; guarded by itself. */
    private final List<CompletableFuture<Void>> awaitingCommit = new ArrayList<>();
    private final boolean periodicCommits;

    /**
     * Tuning of the embedded store.
     *
     * @param maxConn        HNSW M: neighbours kept per node
     * @param beamWidth      HNSW efConstruction: candidates considered while inserting
     * @param efSearch       HNSW ef at query time: a query keeps max(k, efSearch) candidates
     * @param commitInterval how often changes are committed (made durable); zero = only on close
     * @param ramBufferMb    indexing buffer before a segment is flushed
     * @param mergeThreads   threads that build a merged segment's graph (1 = the merging thread only)
     */
    public record Options(int maxConn, int beamWidth, int efSearch, Duration commitInterval, double ramBufferMb,
                          int mergeThreads) {

        public Options {
            if (maxConn <= 0 || beamWidth <= 0 || efSearch <= 0 || mergeThreads <= 0 || ramBufferMb <= 0) {
                throw new IllegalArgumentException("vector store options must be positive: " + this);
            }
            if (commitInterval == null || commitInterval.isNegative()) {
                throw new IllegalArgumentException("commitInterval must be zero or positive, was " + commitInterval);
            }
        }

        public static Options defaults() {
            return new Options(DEFAULT_MAX_CONN, DEFAULT_BEAM_WIDTH, DEFAULT_EF_SEARCH, Duration.ofSeconds(5), 64, 1);
        }

        public Options withGraph(int m, int beam) {
            return new Options(m, beam, efSearch, commitInterval, ramBufferMb, mergeThreads);
        }

        public Options withEfSearch(int ef) {
            return new Options(maxConn, beamWidth, ef, commitInterval, ramBufferMb, mergeThreads);
        }

        public Options withCommitInterval(Duration interval) {
            return new Options(maxConn, beamWidth, efSearch, interval, ramBufferMb, mergeThreads);
        }

        public Options withIndexing(double bufferMb, int threads) {
            return new Options(maxConn, beamWidth, efSearch, commitInterval, bufferMb, threads);
        }
    }

    public LuceneVectorStore(Path path) {
        this(path, Options.defaults());
    }

    public LuceneVectorStore(Path path, Options options) {
        this.path = path;
        this.efSearch = options.efSearch();
        try {
            Files.createDirectories(path);
            this.directory = FSDirectory.open(path);
            this.mergeExecutor = options.mergeThreads() > 1
                    ? Executors.newFixedThreadPool(options.mergeThreads() - 1, daemon("vector-store-merge")) : null;
            HnswFormat format = new HnswFormat(options.maxConn(), options.beamWidth(), options.mergeThreads(),
                    mergeExecutor);
            IndexWriterConfig config = new IndexWriterConfig()
                    .setCodec(codec(format))
                    .setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND)
                    .setRAMBufferSizeMB(options.ramBufferMb());
            this.writer = new IndexWriter(directory, config);
            this.searchers = new SearcherManager(writer, null);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the vector index at " + path + ": " + e.getMessage(), e);
        }
        this.committer = Executors.newSingleThreadScheduledExecutor(daemon("vector-store-commit"));
        Duration commitInterval = options.commitInterval();
        this.periodicCommits = !commitInterval.isZero();
        if (periodicCommits) {
            long ms = commitInterval.toMillis();
            committer.scheduleWithFixedDelay(this::commitQuietly, ms, ms, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Lucene912 with {@link HnswFormat} for every vector field, read back through {@link SimdKnnVectorsFormat} so
     * that the store's own searches score with SIMD too. Same name, same files as the stock codec: any Lucene 9.12
     * opens the index. Segments this process opens from disk (those of an earlier run) are read by the stock
     * codec, Lucene's choice by name, until a merge rewrites them.
     */
    static Codec codec(HnswFormat format) {
        Lucene912Codec base = new Lucene912Codec() {
            @Override
            public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
                return format;
            }
        };
        KnnVectorsFormat vectors = new SimdKnnVectorsFormat(format);
        return new FilterCodec(base.getName(), base) {
            @Override
            public KnnVectorsFormat knnVectorsFormat() {
                return vectors;
            }
        };
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    static String vectorField(int dimension) {
        return "vector_" + dimension;
    }

    @Override
    public void upsert(List<VectorRecord> records) {
        ensureOpen();
        VectorValidation.checkRecords(records);
        Map<String, Integer> batchDims = new HashMap<>();
        for (int i = 0; i < records.size(); i++) {
            VectorRecord r = records.get(i);
            int dim = r.vector().length;
            Integer known = batchDims.get(r.modelVersion());
            if (known == null) {
                known = dimension(r.modelVersion()).orElse(dim);
                batchDims.put(r.modelVersion(), known);
            }
            if (known != dim) {
                throw new IllegalArgumentException("row " + i + " (" + r.key() + "): vector has " + dim
                        + " dimensions but model version " + r.modelVersion() + " has " + known);
            }
        }
        updateGuard.readLock().lock();
        try {
            for (VectorRecord r : records) {
                writer.updateDocument(new Term(KEY, r.key()), toDocument(r));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("vector upsert failed: " + e.getMessage(), e);
        } finally {
            writeGeneration.incrementAndGet();
            updateGuard.readLock().unlock();
        }
        batchDims.forEach(dimensions::putIfAbsent);
    }

    /**
     * Lucene cannot change an indexed keyword in place: each of the frame's rows is read back (vector included) and
     * re-indexed with the new fields, under the write lock so a concurrent upsert's newer vector is never undone.
     */
    @Override
    public long updateFields(String datasetId, String frameId, FieldUpdate update) {
        ensureOpen();
        if (frameId == null || frameId.isBlank()) {
            throw new IllegalArgumentException("frameId is required");
        }
        if (update == null || update.isEmpty()) {
            return 0;
        }
        BooleanQuery.Builder q = new BooleanQuery.Builder();
        term(q, FRAME_ID, frameId);
        term(q, DATASET_ID, datasetId);
        Query query = q.build();
        updateGuard.writeLock().lock();
        try {
            List<VectorRecord> changed = withSearcher(searcher -> {
                List<VectorRecord> rows = new ArrayList<>();
                List<LeafReaderContext> leaves = searcher.getIndexReader().leaves();
                for (ScoreDoc sd : searcher.search(query, 1000).scoreDocs) {
                    LeafReaderContext leaf = leaves.get(ReaderUtil.subIndex(sd.doc, leaves));
                    VectorRecord r = toRecord(searcher.storedFields().document(sd.doc), leaf.reader(), sd.doc - leaf.docBase, null);
                    if (!update.isAppliedTo(r)) {
                        rows.add(r.with(update));
                    }
                }
                return rows;
            });
            for (VectorRecord r : changed) {
                writer.updateDocument(new Term(KEY, r.key()), toDocument(r));
            }
            if (!changed.isEmpty()) {
                writeGeneration.incrementAndGet();
            }
            return changed.size();
        } catch (IOException e) {
            throw new UncheckedIOException("vector field update failed: " + e.getMessage(), e);
        } finally {
            updateGuard.writeLock().unlock();
        }
    }

    private static Document toDocument(VectorRecord r) {
        Document doc = new Document();
        doc.add(new StringField(KEY, r.key(), Field.Store.NO));
        addKeyword(doc, FRAME_ID, r.frameId());
        addKeyword(doc, MODEL_VERSION, r.modelVersion());
        addKeyword(doc, DATASET_ID, r.datasetId());
        addKeyword(doc, SPLIT, r.split());
        addKeyword(doc, LABEL, r.label());
        addKeyword(doc, PREDICTION, r.prediction());
        addKeyword(doc, LABELED, Boolean.toString(r.labeled()));
        addKeyword(doc, LABELER_ID, r.labelerId());
        if (r.contentHash() != null) {
            doc.add(new StoredField(CONTENT_HASH, r.contentHash()));
        }
        doc.add(new StoredField(DIM, r.vector().length));
        doc.add(new KnnFloatVectorField(vectorField(r.vector().length), r.vector(), VectorSimilarityFunction.COSINE));
        return doc;
    }

    private static void addKeyword(Document doc, String field, String value) {
        if (value != null) {
            doc.add(new StringField(field, value, Field.Store.YES));
        }
    }

    @Override
    public List<SearchHit> search(SearchQuery query) {
        ensureOpen();
        VectorValidation.checkVector("query vector", query.vector());
        String field = vectorField(query.vector().length);
        return withSearcher(searcher -> {
            // Lucene's k is also the beam width of the graph search: ask for max(k, ef) and keep the top k
            int candidates = Math.max(query.k(), efSearch);
            Query knn = new KnnFloatVectorQuery(field, query.vector(), candidates, filterQuery(query.filter()));
            TopDocs top = searcher.search(knn, query.k());
            List<SearchHit> hits = new ArrayList<>(top.scoreDocs.length);
            StoredFields stored = searcher.storedFields();
            List<LeafReaderContext> leaves = searcher.getIndexReader().leaves();
            for (ScoreDoc sd : top.scoreDocs) {
                LeafReaderContext leaf = leaves.get(ReaderUtil.subIndex(sd.doc, leaves));
                VectorRecord r = toRecord(stored.document(sd.doc), leaf.reader(), sd.doc - leaf.docBase, null);
                // Lucene scores cosine as (1 + cos) / 2
                hits.add(new SearchHit(r, 2f * sd.score - 1f));
            }
            return hits;
        });
    }

    /** The filter as a Lucene query; null when it matches everything. */
    static Query filterQuery(VectorFilter f) {
        BooleanQuery.Builder b = new BooleanQuery.Builder();
        boolean any = false;
        any |= term(b, DATASET_ID, f.datasetId());
        any |= term(b, MODEL_VERSION, f.modelVersion());
        any |= term(b, SPLIT, f.split());
        any |= term(b, LABELED, f.labeled() == null ? null : f.labeled().toString());
        any |= term(b, LABEL, f.label());
        any |= term(b, PREDICTION, f.prediction());
        if (!f.excludeFrameIds().isEmpty()) {
            if (!any) {
                b.add(new MatchAllDocsQuery(), Occur.FILTER);
            }
            for (String id : f.excludeFrameIds()) {
                b.add(new TermQuery(new Term(FRAME_ID, id)), Occur.MUST_NOT);
            }
            any = true;
        }
        return any ? b.build() : null;
    }

    private static Query matchQuery(VectorFilter f) {
        Query q = filterQuery(f);
        return q == null ? new MatchAllDocsQuery() : q;
    }

    private static boolean term(BooleanQuery.Builder b, String field, String value) {
        if (value == null) {
            return false;
        }
        b.add(new TermQuery(new Term(field, value)), Occur.FILTER);
        return true;
    }

    @Override
    public Optional<VectorRecord> get(String frameId, String modelVersion) {
        ensureOpen();
        String key = VectorRecord.key(frameId, modelVersion);
        return withSearcher(searcher -> {
            TopDocs top = searcher.search(new TermQuery(new Term(KEY, key)), 1);
            if (top.scoreDocs.length == 0) {
                return Optional.empty();
            }
            int doc = top.scoreDocs[0].doc;
            List<LeafReaderContext> leaves = searcher.getIndexReader().leaves();
            LeafReaderContext leaf = leaves.get(ReaderUtil.subIndex(doc, leaves));
            return Optional.of(toRecord(searcher.storedFields().document(doc), leaf.reader(), doc - leaf.docBase, null));
        });
    }

    /** One searcher for the whole batch; stored fields only (the vectors are not read). */
    @Override
    public Map<String, VectorRecord> scalars(String modelVersion, Collection<String> frameIds) {
        ensureOpen();
        Map<String, VectorRecord> out = new LinkedHashMap<>();
        if (frameIds.isEmpty()) {
            return out;
        }
        return withSearcher(searcher -> {
            StoredFields stored = searcher.storedFields();
            for (String id : frameIds) {
                TopDocs top = searcher.search(new TermQuery(new Term(KEY, VectorRecord.key(id, modelVersion))), 1);
                if (top.scoreDocs.length > 0) {
                    out.put(id, scalarsOf(stored.document(top.scoreDocs[0].doc), null));
                }
            }
            return out;
        });
    }

    @Override
    public OptionalInt dimension(String modelVersion) {
        Integer known = dimensions.get(modelVersion);
        if (known != null) {
            return OptionalInt.of(known);
        }
        ensureOpen();
        OptionalInt found = withSearcher(searcher -> {
            TopDocs top = searcher.search(new TermQuery(new Term(MODEL_VERSION, modelVersion)), 1);
            if (top.scoreDocs.length == 0) {
                return OptionalInt.empty();
            }
            return OptionalInt.of(searcher.storedFields().document(top.scoreDocs[0].doc).getField(DIM)
                    .numericValue().intValue());
        });
        found.ifPresent(d -> dimensions.putIfAbsent(modelVersion, d));
        return found;
    }

    @Override
    public long count(String datasetId, String modelVersion) {
        ensureOpen();
        Query q = matchQuery(VectorFilter.of(datasetId, modelVersion));
        return withSearcher(searcher -> (long) searcher.count(q));
    }

    @Override
    public Stream<VectorRecord> export(String datasetId, String modelVersion) {
        ensureOpen();
        IndexSearcher searcher = acquireFresh();
        try {
            Query q = matchQuery(VectorFilter.of(datasetId, modelVersion));
            Weight weight = searcher.createWeight(searcher.rewrite(q), ScoreMode.COMPLETE_NO_SCORES, 1f);
            Iterator<VectorRecord> rows = new ExportIterator(searcher.getIndexReader().leaves(), weight);
            return StreamSupport.stream(Spliterators.spliteratorUnknownSize(rows,
                            Spliterator.ORDERED | Spliterator.NONNULL), false)
                    .onClose(() -> release(searcher));
        } catch (IOException | RuntimeException e) {
            release(searcher);
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    /** Walks the matching documents leaf by leaf, in doc-id order, so each leaf's vector iterator only moves forward. */
    private static final class ExportIterator implements Iterator<VectorRecord> {
        private final List<LeafReaderContext> leaves;
        private final Weight weight;
        private int nextLeaf;
        private LeafReader reader;
        private DocIdSetIterator docs;
        private Bits liveDocs;
        private StoredFields stored;
        private Map<String, FloatVectorValues> vectors;
        private VectorRecord next;

        ExportIterator(List<LeafReaderContext> leaves, Weight weight) {
            this.leaves = leaves;
            this.weight = weight;
        }

        @Override
        public boolean hasNext() {
            if (next == null) {
                next = advance();
            }
            return next != null;
        }

        @Override
        public VectorRecord next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            VectorRecord r = next;
            next = null;
            return r;
        }

        private VectorRecord advance() {
            try {
                while (true) {
                    if (docs == null) {
                        if (nextLeaf >= leaves.size()) {
                            return null;
                        }
                        LeafReaderContext leaf = leaves.get(nextLeaf++);
                        Scorer scorer = weight.scorer(leaf);
                        if (scorer == null) {
                            continue;
                        }
                        reader = leaf.reader();
                        docs = scorer.iterator();
                        liveDocs = reader.getLiveDocs();
                        stored = reader.storedFields();
                        vectors = new HashMap<>();
                    }
                    int doc = docs.nextDoc();
                    if (doc == DocIdSetIterator.NO_MORE_DOCS) {
                        docs = null;
                        continue;
                    }
                    if (liveDocs != null && !liveDocs.get(doc)) {
                        continue;
                    }
                    return toRecord(stored.document(doc), reader, doc, vectors);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("vector export failed: " + e.getMessage(), e);
            }
        }
    }

    /**
     * Reads a row back: its stored keyword fields and its vector from the leaf's vector values.
     *
     * @param iterators per-field vector iterators to reuse (docs must then come in increasing order), or null
     */
    private static VectorRecord toRecord(Document d, LeafReader reader, int leafDoc,
                                         Map<String, FloatVectorValues> iterators) throws IOException {
        String field = vectorField(d.getField(DIM).numericValue().intValue());
        FloatVectorValues values = iterators == null ? null : iterators.get(field);
        if (values == null || values.docID() > leafDoc) {
            values = reader.getFloatVectorValues(field);
            if (iterators != null) {
                iterators.put(field, values);
            }
        }
        float[] vector = null;
        if (values != null && (values.docID() == leafDoc || values.advance(leafDoc) == leafDoc)) {
            vector = values.vectorValue().clone();
        }
        return scalarsOf(d, vector);
    }

    private static VectorRecord scalarsOf(Document d, float[] vector) {
        return new VectorRecord(d.get(FRAME_ID), d.get(MODEL_VERSION), d.get(DATASET_ID), d.get(SPLIT), d.get(LABEL),
                d.get(PREDICTION), Boolean.parseBoolean(d.get(LABELED)), d.get(LABELER_ID), vector, d.get(CONTENT_HASH));
    }

    @FunctionalInterface
    private interface SearcherFunction<T> {
        T apply(IndexSearcher searcher) throws IOException;
    }

    private <T> T withSearcher(SearcherFunction<T> fn) {
        IndexSearcher searcher = acquireFresh();
        try {
            return fn.apply(searcher);
        } catch (IOException e) {
            throw new UncheckedIOException("vector index read failed: " + e.getMessage(), e);
        } finally {
            release(searcher);
        }
    }

    /** A searcher that sees every upsert that returned before this call; release it. */
    private IndexSearcher acquireFresh() {
        refreshIfStale();
        try {
            return searchers.acquire();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void release(IndexSearcher searcher) {
        try {
            searchers.release(searcher);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Makes every upsert that returned before this call visible to the searcher acquired after it. */
    private void refreshIfStale() {
        long wanted = writeGeneration.get();
        if (visibleGeneration.get() >= wanted) {
            return;
        }
        try {
            searchers.maybeRefreshBlocking();
        } catch (IOException e) {
            throw new UncheckedIOException("vector index refresh failed: " + e.getMessage(), e);
        }
        visibleGeneration.accumulateAndGet(wanted, Math::max);
    }

    /** Sets the HNSW search beam (ef): more candidates, better recall, slower queries. */
    public LuceneVectorStore efSearch(int ef) {
        if (ef <= 0) {
            throw new IllegalArgumentException("efSearch must be positive, was " + ef);
        }
        this.efSearch = ef;
        return this;
    }

    /** Makes all changes durable now, and completes every {@link #whenDurable()} future registered before it. */
    public void commit() {
        ensureOpen();
        List<CompletableFuture<Void>> covered = takeAwaitingCommit();
        try {
            if (writer.hasUncommittedChanges()) {
                writer.commit();
            }
        } catch (IOException e) {
            UncheckedIOException failure = new UncheckedIOException("vector index commit failed: " + e.getMessage(), e);
            covered.forEach(f -> f.completeExceptionally(failure));
            throw failure;
        } catch (RuntimeException e) {
            covered.forEach(f -> f.completeExceptionally(e));
            throw e;
        }
        covered.forEach(f -> f.complete(null));
    }

    /** The {@link #whenDurable()} futures registered so far; the commit about to start covers their writes. */
    private List<CompletableFuture<Void>> takeAwaitingCommit() {
        synchronized (awaitingCommit) {
            List<CompletableFuture<Void>> covered = new ArrayList<>(awaitingCommit);
            awaitingCommit.clear();
            return covered;
        }
    }

    /**
     * Completes at the next commit, which covers every write that returned before this call (a write returns after
     * {@link IndexWriter#updateDocument}; a commit makes all such changes durable). At most one commit interval away.
     */
    @Override
    public CompletableFuture<Void> whenDurable() {
        ensureOpen();
        CompletableFuture<Void> f = new CompletableFuture<>();
        synchronized (awaitingCommit) {
            awaitingCommit.add(f);
        }
        if (!periodicCommits) {
            try {
                committer.execute(this::commitQuietly);
            } catch (RejectedExecutionException closing) {
                // close() is committing: it completes f
            }
        }
        return f;
    }

    /** Merges segments down to at most {@code maxSegments} (for benchmarks and offline rebuilds; slow). */
    public void forceMerge(int maxSegments) {
        ensureOpen();
        try {
            writer.forceMerge(maxSegments);
            writeGeneration.incrementAndGet();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void commitQuietly() {
        try {
            if (!closed.get()) {
                commit();
            }
        } catch (RuntimeException e) {
            System.getLogger(LuceneVectorStore.class.getName())
                    .log(System.Logger.Level.WARNING, "periodic vector index commit failed", e);
        }
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new IllegalStateException("the vector store at " + path + " is closed");
        }
    }

    public Path path() {
        return path;
    }

    @Override
    public String kind() {
        return "embedded-hnsw";
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        committer.shutdown(); // no interrupt: an interrupted channel write would close the index
        try {
            committer.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<CompletableFuture<Void>> covered = takeAwaitingCommit();
        try (directory; writer; searchers) {
            writer.commit();
            covered.forEach(f -> f.complete(null));
        } catch (IOException e) {
            UncheckedIOException failure = new UncheckedIOException("closing the vector index at " + path + " failed: "
                    + e.getMessage(), e);
            covered.forEach(f -> f.completeExceptionally(failure));
            throw failure;
        } finally {
            if (mergeExecutor != null) {
                mergeExecutor.shutdown();
            }
        }
    }
}

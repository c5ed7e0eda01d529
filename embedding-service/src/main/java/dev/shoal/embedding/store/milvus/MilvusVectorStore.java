package dev.shoal.embedding.store.milvus;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.shoal.embedding.store.FieldUpdate;
import dev.shoal.embedding.store.SearchHit;
import dev.shoal.embedding.store.SearchQuery;
import dev.shoal.embedding.store.VectorFilter;
import dev.shoal.embedding.store.VectorRecord;
import dev.shoal.embedding.store.VectorStore;
import dev.shoal.embedding.store.VectorValidation;
import io.milvus.orm.iterator.QueryIterator;
import io.milvus.pool.MilvusClientV2Pool;
import io.milvus.pool.PoolConfig;
import io.milvus.response.QueryResultsWrapper;
import io.milvus.v2.client.ConnectConfig;
import io.milvus.v2.client.MilvusClientV2;
import io.milvus.v2.common.ConsistencyLevel;
import io.milvus.v2.common.DataType;
import io.milvus.v2.common.IndexParam;
import io.milvus.v2.service.collection.request.AddCollectionFieldReq;
import io.milvus.v2.service.collection.request.AddFieldReq;
import io.milvus.v2.service.collection.request.DescribeCollectionReq;
import io.milvus.v2.service.collection.request.CreateCollectionReq;
import io.milvus.v2.service.collection.request.HasCollectionReq;
import io.milvus.v2.service.collection.request.LoadCollectionReq;
import io.milvus.v2.service.index.request.CreateIndexReq;
import io.milvus.v2.service.index.request.ListIndexesReq;
import io.milvus.v2.service.vector.request.GetReq;
import io.milvus.v2.service.vector.request.QueryIteratorReq;
import io.milvus.v2.service.vector.request.QueryReq;
import io.milvus.v2.service.vector.request.SearchReq;
import io.milvus.v2.service.vector.request.UpsertReq;
import io.milvus.v2.service.vector.request.data.FloatVec;
import io.milvus.v2.service.vector.response.QueryResp;
import io.milvus.v2.service.vector.response.SearchResp;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The Milvus vector store (milvus-sdk-java v2 client, {@link MilvusClientV2Pool}). A Milvus collection has one
 * vector dimension, so rows live in one collection per dimension, {@code <collection>_d<dim>}, created on first use
 * with its HNSW/COSINE index: idempotently (has-collection, create, tolerate a concurrent creator; an existing
 * collection gets its missing index; nothing is ever dropped). Primary key: VarChar {@code frameId:modelVersion};
 * writes are {@code upsert}, so a replay overwrites. Scalar fields: frame_id, model_version, dataset_id, split,
 * label, prediction, labeled (Bool), labeler_id, content_hash; null strings are stored as "". A collection created
 * before content_hash existed gets it added (nullable) on first use. {@link #updateFields} is a partial upsert
 * ({@code partialUpdate}, Milvus 2.6 or later). Reads use
 * {@link ConsistencyLevel#STRONG} by default so a search sees the upserts that returned before it.
 */
public final class MilvusVectorStore implements VectorStore {

    static final String PK = "pk";
    static final String FRAME_ID = "frame_id";
    static final String MODEL_VERSION = "model_version";
    static final String DATASET_ID = "dataset_id";
    static final String SPLIT = "split";
    static final String LABEL = "label";
    static final String PREDICTION = "prediction";
    static final String LABELED = "labeled";
    static final String LABELER_ID = "labeler_id";
    static final String CONTENT_HASH = "content_hash";
    static final String VECTOR = "vector";
    static final List<String> SCALARS = List.of(FRAME_ID, MODEL_VERSION, DATASET_ID, SPLIT, LABEL, PREDICTION, LABELED,
            LABELER_ID, CONTENT_HASH);
    /** The fields {@link #updateFields} rewrites (with the primary key) in a partial upsert. */
    static final List<String> UPDATABLE = List.of(SPLIT, LABEL, PREDICTION, LABELED, LABELER_ID);
    private static final String POOL_KEY = "shoal";

    /**
     * @param collection     prefix of the collection names ({@code <collection>_d<dim>})
     * @param maxConn        HNSW M of new indexes
     * @param efConstruction HNSW efConstruction of new indexes
     * @param efSearch       HNSW ef at query time (a query uses max(k, efSearch))
     * @param consistency    read consistency; STRONG gives read-your-writes
     * @param exportBatch    rows per page of an export
     */
    public record Options(String collection, int maxConn, int efConstruction, int efSearch, ConsistencyLevel consistency,
                          int exportBatch) {

        public static Options defaults(String collection) {
            return new Options(collection, 16, 200, 50, ConsistencyLevel.STRONG, 1000);
        }
    }

    private final MilvusClientV2Pool pool;
    private final Options options;
    private final Set<Integer> ensured = ConcurrentHashMap.newKeySet();
    private final Map<String, Integer> dimensions = new ConcurrentHashMap<>();

    public MilvusVectorStore(MilvusClientV2Pool pool, Options options) {
        if (!options.collection().matches("[A-Za-z_][A-Za-z0-9_]{0,200}")) {
            throw new IllegalArgumentException("Milvus collection name must match [A-Za-z_][A-Za-z0-9_]*, was '"
                    + options.collection() + "'");
        }
        this.pool = pool;
        this.options = options;
    }

    /** Opens a client pool on {@code uri} (e.g. http://milvus:19530); {@code token} may be null. */
    public static MilvusVectorStore connect(String uri, String token, Options options, int maxClients) {
        ConnectConfig.ConnectConfigBuilder config = ConnectConfig.builder().uri(uri)
                .connectTimeoutMs(10_000).rpcDeadlineMs(60_000);
        if (token != null && !token.isBlank()) {
            config.token(token);
        }
        PoolConfig poolConfig = PoolConfig.builder()
                .maxIdlePerKey(Math.max(1, maxClients / 2))
                .maxTotalPerKey(maxClients)
                .maxTotal(maxClients)
                .maxBlockWaitDuration(Duration.ofSeconds(10))
                .minEvictableIdleDuration(Duration.ofSeconds(60))
                .build();
        try {
            return new MilvusVectorStore(new MilvusClientV2Pool(poolConfig, config.build()), options);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot create the Milvus client pool: " + e.getMessage(), e);
        }
    }

    String collectionName(int dimension) {
        return options.collection() + "_d" + dimension;
    }

    private <T> T withClient(Function<MilvusClientV2, T> fn) {
        MilvusClientV2 client = pool.getClient(POOL_KEY);
        if (client == null) {
            throw new IllegalStateException("no Milvus client available (pool exhausted or Milvus unreachable)");
        }
        try {
            return fn.apply(client);
        } finally {
            pool.returnClient(POOL_KEY, client);
        }
    }

    // ------------------------------------------------------------------ schema

    /** Creates the collection for a dimension, its index, and loads it, unless that is already so. Never drops. */
    void ensureCollection(int dimension) {
        if (ensured.contains(dimension)) {
            return;
        }
        String name = collectionName(dimension);
        withClient(client -> {
            if (!hasCollection(client, name)) {
                try {
                    client.createCollection(CreateCollectionReq.builder()
                            .collectionName(name)
                            .description("Shoal vectors of dimension " + dimension)
                            .collectionSchema(schema(dimension))
                            .indexParams(List.of(vectorIndex()))
                            .consistencyLevel(options.consistency())
                            .build());
                } catch (RuntimeException e) {
                    if (!hasCollection(client, name)) { // someone else may have created it in between
                        throw e;
                    }
                }
            }
            List<String> fields = client.describeCollection(DescribeCollectionReq.builder().collectionName(name).build())
                    .getFieldNames();
            if (fields != null && !fields.contains(CONTENT_HASH)) { // created by an older version of this adapter
                try {
                    client.addCollectionField(AddCollectionFieldReq.builder().collectionName(name).fieldName(CONTENT_HASH)
                            .dataType(DataType.VarChar).maxLength(128).isNullable(true).build());
                } catch (RuntimeException e) {
                    List<String> now = client.describeCollection(DescribeCollectionReq.builder().collectionName(name).build())
                            .getFieldNames();
                    if (now == null || !now.contains(CONTENT_HASH)) {
                        throw e;
                    }
                }
            }
            List<String> indexes = client.listIndexes(ListIndexesReq.builder().collectionName(name).fieldName(VECTOR).build());
            if (indexes == null || indexes.isEmpty()) {
                client.createIndex(CreateIndexReq.builder().collectionName(name).indexParams(List.of(vectorIndex())).build());
            }
            client.loadCollection(LoadCollectionReq.builder().collectionName(name).build());
            return null;
        });
        ensured.add(dimension);
    }

    private static boolean hasCollection(MilvusClientV2 client, String name) {
        return Boolean.TRUE.equals(client.hasCollection(HasCollectionReq.builder().collectionName(name).build()));
    }

    static CreateCollectionReq.CollectionSchema schema(int dimension) {
        CreateCollectionReq.CollectionSchema schema = CreateCollectionReq.CollectionSchema.builder().build();
        schema.addField(AddFieldReq.builder().fieldName(PK).dataType(DataType.VarChar).maxLength(1024)
                .isPrimaryKey(true).autoID(false).build());
        for (String f : SCALARS) {
            if (f.equals(LABELED)) {
                schema.addField(AddFieldReq.builder().fieldName(f).dataType(DataType.Bool).build());
            } else if (f.equals(CONTENT_HASH)) {
                schema.addField(AddFieldReq.builder().fieldName(f).dataType(DataType.VarChar).maxLength(128).build());
            } else {
                schema.addField(AddFieldReq.builder().fieldName(f).dataType(DataType.VarChar).maxLength(512).build());
            }
        }
        schema.addField(AddFieldReq.builder().fieldName(VECTOR).dataType(DataType.FloatVector).dimension(dimension).build());
        return schema;
    }

    private IndexParam vectorIndex() {
        return IndexParam.builder()
                .fieldName(VECTOR)
                .indexName(VECTOR + "_hnsw")
                .indexType(IndexParam.IndexType.HNSW)
                .metricType(IndexParam.MetricType.COSINE)
                .extraParams(Map.of("M", options.maxConn(), "efConstruction", options.efConstruction()))
                .build();
    }

    /** Dimensions that have a collection on the server (this instance's or another's). */
    private Set<Integer> dimensionsOnServer() {
        String prefix = options.collection() + "_d";
        Set<Integer> dims = new TreeSet<>();
        List<String> names = withClient(c -> c.listCollections().getCollectionNames());
        for (String n : names) {
            if (n.startsWith(prefix) && n.substring(prefix.length()).matches("[0-9]{1,5}")) {
                dims.add(Integer.parseInt(n.substring(prefix.length())));
            }
        }
        return dims;
    }

    /** The collections a model version's rows may be in: its own if known, else every one. */
    private List<Integer> candidateDimensions(String modelVersion) {
        if (modelVersion != null) {
            OptionalInt d = dimension(modelVersion);
            return d.isPresent() ? List.of(d.getAsInt()) : List.of();
        }
        return new ArrayList<>(dimensionsOnServer());
    }

    // ------------------------------------------------------------------ writes

    @Override
    public void upsert(List<VectorRecord> records) {
        VectorValidation.checkRecords(records);
        Map<String, Integer> batchDims = new LinkedHashMap<>();
        Map<Integer, List<JsonObject>> byDimension = new LinkedHashMap<>();
        for (int i = 0; i < records.size(); i++) {
            VectorRecord r = records.get(i);
            int dim = r.vector().length;
            Integer known = batchDims.computeIfAbsent(r.modelVersion(), mv -> dimension(mv).orElse(dim));
            if (known != dim) {
                throw new IllegalArgumentException("row " + i + " (" + r.key() + "): vector has " + dim
                        + " dimensions but model version " + r.modelVersion() + " has " + known);
            }
            byDimension.computeIfAbsent(dim, d -> new ArrayList<>()).add(toRow(r));
        }
        byDimension.forEach((dim, rows) -> {
            ensureCollection(dim);
            withClient(c -> c.upsert(UpsertReq.builder().collectionName(collectionName(dim)).data(rows).build()));
        });
        batchDims.forEach(dimensions::putIfAbsent);
    }

    static JsonObject toRow(VectorRecord r) {
        JsonObject row = new JsonObject();
        row.addProperty(PK, r.key());
        row.addProperty(FRAME_ID, r.frameId());
        row.addProperty(MODEL_VERSION, r.modelVersion());
        row.addProperty(DATASET_ID, nz(r.datasetId()));
        row.addProperty(SPLIT, nz(r.split()));
        row.addProperty(LABEL, nz(r.label()));
        row.addProperty(PREDICTION, nz(r.prediction()));
        row.addProperty(LABELED, r.labeled());
        row.addProperty(LABELER_ID, nz(r.labelerId()));
        row.addProperty(CONTENT_HASH, nz(r.contentHash()));
        JsonArray v = new JsonArray(r.vector().length);
        for (float x : r.vector()) {
            v.add(x);
        }
        row.add(VECTOR, v);
        return row;
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    /** Only the primary key and the updatable scalar fields: the body of a partial upsert. */
    static JsonObject toPartialRow(VectorRecord r) {
        JsonObject row = new JsonObject();
        row.addProperty(PK, r.key());
        row.addProperty(SPLIT, nz(r.split()));
        row.addProperty(LABEL, nz(r.label()));
        row.addProperty(PREDICTION, nz(r.prediction()));
        row.addProperty(LABELED, r.labeled());
        row.addProperty(LABELER_ID, nz(r.labelerId()));
        return row;
    }

    @Override
    public long updateFields(String datasetId, String frameId, FieldUpdate update) {
        if (frameId == null || frameId.isBlank()) {
            throw new IllegalArgumentException("frameId is required");
        }
        if (update == null || update.isEmpty()) {
            return 0;
        }
        VectorFilter filter = VectorFilter.none().dataset(datasetId);
        String expr = MilvusFilters.expression(filter);
        expr = (expr.isEmpty() ? "" : expr + " and ") + FRAME_ID + " == " + MilvusFilters.literal(frameId);
        long changed = 0;
        for (int dim : candidateDimensions(null)) {
            ensureCollection(dim);
            String e = expr;
            List<QueryResp.QueryResult> rows = withClient(c -> c.query(QueryReq.builder()
                    .collectionName(collectionName(dim))
                    .filter(e)
                    .outputFields(SCALARS)
                    .consistencyLevel(options.consistency())
                    .build())).getQueryResults();
            List<JsonObject> partial = new ArrayList<>();
            for (QueryResp.QueryResult row : rows == null ? List.<QueryResp.QueryResult>of() : rows) {
                VectorRecord r = fromEntity(row.getEntity());
                if (!update.isAppliedTo(r)) {
                    partial.add(toPartialRow(r.with(update)));
                }
            }
            if (!partial.isEmpty()) {
                withClient(c -> c.upsert(UpsertReq.builder().collectionName(collectionName(dim)).data(partial)
                        .partialUpdate(true).build()));
                changed += partial.size();
            }
        }
        return changed;
    }

    // ------------------------------------------------------------------ reads

    @Override
    public List<SearchHit> search(SearchQuery query) {
        VectorValidation.checkVector("query vector", query.vector());
        int dim = query.vector().length;
        if (!ensured.contains(dim) && !dimensionsOnServer().contains(dim)) {
            return List.of();
        }
        ensureCollection(dim);
        List<String> out = new ArrayList<>(SCALARS);
        out.add(VECTOR);
        SearchResp resp = withClient(c -> c.search(SearchReq.builder()
                .collectionName(collectionName(dim))
                .annsField(VECTOR)
                .metricType(IndexParam.MetricType.COSINE)
                .data(List.of(new FloatVec(query.vector())))
                .limit(query.k())
                .filter(MilvusFilters.expression(query.filter()))
                .outputFields(out)
                .searchParams(Map.of("ef", Math.max(query.k(), options.efSearch())))
                .consistencyLevel(options.consistency())
                .build()));
        List<SearchHit> hits = new ArrayList<>();
        for (SearchResp.SearchResult r : resp.getSearchResults().get(0)) {
            hits.add(new SearchHit(fromEntity(r.getEntity()), r.getScore())); // COSINE: the score is the cosine
        }
        return hits;
    }

    @Override
    public Optional<VectorRecord> get(String frameId, String modelVersion) {
        List<String> out = new ArrayList<>(SCALARS);
        out.add(VECTOR);
        for (int dim : candidateDimensions(modelVersion)) {
            ensureCollection(dim);
            List<QueryResp.QueryResult> rows = withClient(c -> c.get(GetReq.builder()
                    .collectionName(collectionName(dim))
                    .ids(List.of(VectorRecord.key(frameId, modelVersion)))
                    .outputFields(out)
                    .build())).getGetResults();
            if (rows != null && !rows.isEmpty()) {
                return Optional.of(fromEntity(rows.get(0).getEntity()));
            }
        }
        return Optional.empty();
    }

    /** One get by primary keys in the model version's collection, scalar fields only. */
    @Override
    public Map<String, VectorRecord> scalars(String modelVersion, Collection<String> frameIds) {
        Map<String, VectorRecord> out = new LinkedHashMap<>();
        if (frameIds.isEmpty()) {
            return out;
        }
        List<Object> ids = new ArrayList<>(frameIds.size());
        for (String id : frameIds) {
            ids.add(VectorRecord.key(id, modelVersion));
        }
        for (int dim : candidateDimensions(modelVersion)) {
            ensureCollection(dim);
            List<QueryResp.QueryResult> rows = withClient(c -> c.get(GetReq.builder()
                    .collectionName(collectionName(dim))
                    .ids(ids)
                    .outputFields(SCALARS)
                    .build())).getGetResults();
            for (QueryResp.QueryResult row : rows == null ? List.<QueryResp.QueryResult>of() : rows) {
                VectorRecord r = fromEntity(row.getEntity());
                out.put(r.frameId(), r);
            }
        }
        return out;
    }

    @Override
    public OptionalInt dimension(String modelVersion) {
        Integer known = dimensions.get(modelVersion);
        if (known != null) {
            return OptionalInt.of(known);
        }
        String expr = MilvusFilters.expression(VectorFilter.none().modelVersion(modelVersion));
        for (int dim : dimensionsOnServer()) {
            ensureCollection(dim);
            List<QueryResp.QueryResult> rows = withClient(c -> c.query(QueryReq.builder()
                    .collectionName(collectionName(dim))
                    .filter(expr)
                    .outputFields(List.of(PK))
                    .limit(1)
                    .consistencyLevel(options.consistency())
                    .build())).getQueryResults();
            if (rows != null && !rows.isEmpty()) {
                dimensions.putIfAbsent(modelVersion, dim);
                return OptionalInt.of(dim);
            }
        }
        return OptionalInt.empty();
    }

    @Override
    public long count(String datasetId, String modelVersion) {
        String expr = MilvusFilters.expressionOrAll(VectorFilter.of(datasetId, modelVersion));
        long total = 0;
        for (int dim : candidateDimensions(modelVersion)) {
            ensureCollection(dim);
            List<QueryResp.QueryResult> rows = withClient(c -> c.query(QueryReq.builder()
                    .collectionName(collectionName(dim))
                    .filter(expr)
                    .outputFields(List.of("count(*)"))
                    .consistencyLevel(options.consistency())
                    .build())).getQueryResults();
            total += ((Number) rows.get(0).getEntity().get("count(*)")).longValue();
        }
        return total;
    }

    @Override
    public Stream<VectorRecord> export(String datasetId, String modelVersion) {
        String expr = MilvusFilters.expressionOrAll(VectorFilter.of(datasetId, modelVersion));
        List<Integer> dims = candidateDimensions(modelVersion);
        dims.forEach(this::ensureCollection);
        ExportIterator rows = new ExportIterator(dims, expr);
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(rows, Spliterator.NONNULL), false)
                .onClose(rows::close);
    }

    /** Pages through each collection with a server-side query iterator, holding one pooled client meanwhile. */
    private final class ExportIterator implements Iterator<VectorRecord> {
        private final Iterator<Integer> dims;
        private final String expr;
        private MilvusClientV2 client;
        private QueryIterator cursor;
        private Iterator<QueryResultsWrapper.RowRecord> page = java.util.Collections.emptyIterator();

        ExportIterator(List<Integer> dims, String expr) {
            this.dims = dims.iterator();
            this.expr = expr;
        }

        @Override
        public boolean hasNext() {
            while (!page.hasNext()) {
                if (cursor != null) {
                    List<QueryResultsWrapper.RowRecord> next = cursor.next();
                    if (!next.isEmpty()) {
                        page = next.iterator();
                        continue;
                    }
                    cursor.close();
                    cursor = null;
                }
                if (!dims.hasNext()) {
                    close();
                    return false;
                }
                if (client == null) {
                    client = pool.getClient(POOL_KEY);
                    if (client == null) {
                        throw new IllegalStateException("no Milvus client available for the export");
                    }
                }
                List<String> out = new ArrayList<>(SCALARS);
                out.add(VECTOR);
                cursor = client.queryIterator(QueryIteratorReq.builder()
                        .collectionName(collectionName(dims.next()))
                        .expr(expr)
                        .outputFields(out)
                        .batchSize(options.exportBatch())
                        .consistencyLevel(options.consistency())
                        .build());
            }
            return true;
        }

        @Override
        public VectorRecord next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return fromEntity(page.next().getFieldValues());
        }

        void close() {
            if (cursor != null) {
                cursor.close();
                cursor = null;
            }
            if (client != null) {
                pool.returnClient(POOL_KEY, client);
                client = null;
            }
        }
    }

    static VectorRecord fromEntity(Map<String, Object> e) {
        Object v = e.get(VECTOR);
        float[] vector = null;
        if (v instanceof List<?> list) {
            vector = new float[list.size()];
            for (int i = 0; i < vector.length; i++) {
                vector[i] = ((Number) list.get(i)).floatValue();
            }
        } else if (v instanceof float[] arr) {
            vector = arr.clone();
        }
        return new VectorRecord(str(e, FRAME_ID), str(e, MODEL_VERSION), str(e, DATASET_ID), str(e, SPLIT),
                str(e, LABEL), str(e, PREDICTION), Boolean.TRUE.equals(e.get(LABELED)), str(e, LABELER_ID), vector,
                str(e, CONTENT_HASH));
    }

    private static String str(Map<String, Object> e, String field) {
        Object v = e.get(field);
        return v == null || "".equals(v) ? null : v.toString();
    }

    @Override
    public String kind() {
        return "milvus";
    }

    @Override
    public void close() {
        pool.close();
    }
}

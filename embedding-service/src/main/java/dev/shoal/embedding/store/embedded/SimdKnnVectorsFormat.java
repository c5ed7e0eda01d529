package dev.shoal.embedding.store.embedded;

import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.KnnVectorsReader;
import org.apache.lucene.codecs.KnnVectorsWriter;
import org.apache.lucene.codecs.perfield.PerFieldKnnVectorsFormat;
import org.apache.lucene.index.ByteVectorValues;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.FieldInfos;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.SegmentReadState;
import org.apache.lucene.index.SegmentWriteState;
import org.apache.lucene.search.KnnCollector;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.IOUtils;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * The codec-level vectors format of the store: Lucene's {@link PerFieldKnnVectorsFormat}, byte for byte, with
 * {@link HnswFormat} for every field. Writing is the stock per-field writer. Reading is the stock per-field
 * reader's logic (the format name and suffix recorded in each field's attributes), except that a field written
 * as "Lucene99HnswVectorsFormat" is read through {@link HnswFormat} (SIMD scoring) instead of the format Lucene
 * would look up by name. Lucene's per-field reader always looks formats up by name, so without this the store's
 * own searches would use the scalar scorer even on the segments it wrote.
 *
 * <p>The reader extends {@link PerFieldKnnVectorsFormat.FieldsReader} (constructed over no fields, so it opens
 * nothing itself) because Lucene's HNSW merge reuses the largest segment's graph only when the segment's reader
 * is such a reader.
 */
final class SimdKnnVectorsFormat extends KnnVectorsFormat {

    private final HnswFormat hnsw;
    private final PerFieldKnnVectorsFormat writing;

    SimdKnnVectorsFormat(HnswFormat hnsw) {
        super(PerFieldKnnVectorsFormat.PER_FIELD_NAME);
        this.hnsw = hnsw;
        this.writing = new PerFieldKnnVectorsFormat() {
            @Override
            public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
                return hnsw;
            }
        };
    }

    @Override
    public KnnVectorsWriter fieldsWriter(SegmentWriteState state) throws IOException {
        return writing.fieldsWriter(state);
    }

    @Override
    public KnnVectorsReader fieldsReader(SegmentReadState state) throws IOException {
        return new Reader(state, hnsw);
    }

    @Override
    public int getMaxDimensions(String fieldName) {
        return hnsw.getMaxDimensions(fieldName);
    }

    @Override
    public String toString() {
        return "SimdKnnVectorsFormat(" + hnsw + ")";
    }

    /** Lucene's per-field reader with {@link HnswFormat} standing in for the stock HNSW format. */
    static final class Reader extends PerFieldKnnVectorsFormat.FieldsReader {
        private final Map<String, KnnVectorsReader> fields = new HashMap<>();
        private final Map<String, KnnVectorsReader> formats = new HashMap<>();

        Reader(SegmentReadState state, HnswFormat hnsw) throws IOException {
            super(new SegmentReadState(state.directory, state.segmentInfo, new FieldInfos(new FieldInfo[0]),
                    state.context, state.segmentSuffix));
            boolean success = false;
            try {
                for (FieldInfo fi : state.fieldInfos) {
                    if (!fi.hasVectorValues()) continue;
                    String formatName = fi.getAttribute(PerFieldKnnVectorsFormat.PER_FIELD_FORMAT_KEY);
                    if (formatName == null) continue; // no vectors indexed for this field in this segment
                    String suffix = fi.getAttribute(PerFieldKnnVectorsFormat.PER_FIELD_SUFFIX_KEY);
                    if (suffix == null) {
                        throw new IllegalStateException("missing attribute: " + PerFieldKnnVectorsFormat.PER_FIELD_SUFFIX_KEY
                                + " for field: " + fi.name);
                    }
                    KnnVectorsFormat format = formatName.equals(hnsw.getName()) ? hnsw : KnnVectorsFormat.forName(formatName);
                    String inner = formatName + "_" + suffix;
                    String segmentSuffix = state.segmentSuffix.isEmpty() ? inner : state.segmentSuffix + "_" + inner;
                    KnnVectorsReader reader = formats.get(segmentSuffix);
                    if (reader == null) {
                        reader = format.fieldsReader(new SegmentReadState(state, segmentSuffix));
                        formats.put(segmentSuffix, reader);
                    }
                    fields.put(fi.name, reader);
                }
                success = true;
            } finally {
                if (!success) IOUtils.closeWhileHandlingException(formats.values());
            }
        }

        @Override
        public KnnVectorsReader getFieldReader(String field) {
            return fields.get(field);
        }

        @Override
        public void checkIntegrity() throws IOException {
            for (KnnVectorsReader reader : formats.values()) {
                reader.checkIntegrity();
            }
        }

        @Override
        public FloatVectorValues getFloatVectorValues(String field) throws IOException {
            KnnVectorsReader reader = fields.get(field);
            return reader == null ? null : reader.getFloatVectorValues(field);
        }

        @Override
        public ByteVectorValues getByteVectorValues(String field) throws IOException {
            KnnVectorsReader reader = fields.get(field);
            return reader == null ? null : reader.getByteVectorValues(field);
        }

        @Override
        public void search(String field, float[] target, KnnCollector collector, Bits acceptDocs) throws IOException {
            KnnVectorsReader reader = fields.get(field);
            if (reader != null) reader.search(field, target, collector, acceptDocs);
        }

        @Override
        public void search(String field, byte[] target, KnnCollector collector, Bits acceptDocs) throws IOException {
            KnnVectorsReader reader = fields.get(field);
            if (reader != null) reader.search(field, target, collector, acceptDocs);
        }

        @Override
        public void close() throws IOException {
            IOUtils.close(formats.values());
        }

        @Override
        public long ramBytesUsed() {
            long total = 0;
            for (KnnVectorsReader reader : formats.values()) {
                total += reader.ramBytesUsed();
            }
            return total;
        }
    }
}

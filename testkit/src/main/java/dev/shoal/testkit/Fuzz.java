package dev.shoal.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.UnknownFieldSet;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The one mutation generator of the fuzz tests, shared by the REST, gRPC and Kafka fuzzers of every service: hostile
 * strings (C0/C1 control characters, NUL, unpaired surrogates, huge), JSON values of any type and depth, a mutation of
 * one field of a JSON row or of a protobuf message (found through its descriptor: NaN and infinite floats,
 * out-of-range enums, huge repeated fields and maps, unknown fields, invalid UTF-8 on the wire), and corrupted
 * payloads (random, truncated, flipped bytes). Seeded: the same seed gives the same inputs.
 * {@code -Dshoal.fuzz.seed} picks the sequence, {@code -Dshoal.fuzz.cases} how many inputs each fuzz test sends.
 */
public final class Fuzz {

    public static final String SEED_PROPERTY = "shoal.fuzz.seed";
    public static final String CASES_PROPERTY = "shoal.fuzz.cases";

    /**
     * Stands for invalid UTF-8 in a string before encoding (a Java string cannot hold it): {@link #breakUtf8} replaces
     * each occurrence in the encoded bytes with invalid sequences of the same length, so protobuf length prefixes stay
     * right.
     */
    public static final String INVALID_UTF8 = "~INVALID-UTF8~";
    private static final byte[] MARKER = INVALID_UTF8.getBytes(StandardCharsets.US_ASCII);
    /** Lone continuation byte, truncated sequence, 0xFF, overlong NUL, an encoded surrogate, a code point past U+10FFFF. */
    private static final byte[][] INVALID_SEQUENCES = {
            {(byte) 0x80}, {(byte) 0xC3, 0x28}, {(byte) 0xFF}, {(byte) 0xC0, (byte) 0x80},
            {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, {(byte) 0xE2, (byte) 0x82}};

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final Random random;

    public Fuzz(long seed) {
        this.random = new Random(seed);
    }

    /** The seed of this run: {@code -Dshoal.fuzz.seed}, else a fixed one (CI sends the same inputs every time). */
    public static long seed() {
        return Long.getLong(SEED_PROPERTY, 0x5EED_F022L);
    }

    /** How many inputs a fuzz test sends: {@code -Dshoal.fuzz.cases}, else its own default. */
    public static int cases(int defaultCases) {
        return Integer.getInteger(CASES_PROPERTY, defaultCases);
    }

    public Random random() {
        return random;
    }

    public int nextInt(int bound) {
        return random.nextInt(bound);
    }

    public boolean nextBoolean() {
        return random.nextBoolean();
    }

    // ------------------------------------------------------------------ strings

    /** Control characters (C0, DEL, C1, NUL), unpaired surrogates, huge strings, or printable noise. */
    public String hostileString() {
        int length = switch (random.nextInt(10)) {
            case 0 -> 257 + random.nextInt(100_000);
            case 1 -> 0;
            default -> 1 + random.nextInt(40);
        };
        StringBuilder s = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            s.append(switch (random.nextInt(12)) {
                case 0 -> (char) random.nextInt(0x20);
                case 1 -> (char) (0x7F + random.nextInt(0x21));
                case 2 -> (char) (0xD800 + random.nextInt(0x800));
                case 3 -> (char) 0;
                case 4 -> (char) (0xA0 + random.nextInt(0xD800 - 0xA0));
                default -> (char) ('!' + random.nextInt(94));
            });
        }
        return s.toString();
    }

    /** A percent-encoded path segment holding control characters, NUL, invalid UTF-8 or a long run of bytes. */
    public String hostilePathSegment() {
        StringBuilder s = new StringBuilder("p");
        int n = random.nextInt(10) == 0 ? 2000 : 1 + random.nextInt(8);
        for (int i = 0; i < n; i++) {
            int b = switch (random.nextInt(4)) {
                case 0 -> random.nextInt(0x20);
                case 1 -> 0x80 + random.nextInt(0x80);
                default -> 'a' + random.nextInt(26);
            };
            s.append('%').append(String.format("%02X", b));
        }
        return s.toString();
    }

    /** {@code encoded} with every {@link #INVALID_UTF8} replaced in place by invalid UTF-8 of the same length. */
    public byte[] breakUtf8(byte[] encoded) {
        byte[] out = encoded.clone();
        for (int at = indexOf(out, 0); at >= 0; at = indexOf(out, at + MARKER.length)) {
            int i = at;
            while (i < at + MARKER.length) {
                byte[] bad = INVALID_SEQUENCES[random.nextInt(INVALID_SEQUENCES.length)];
                for (int k = 0; k < bad.length && i < at + MARKER.length; k++) {
                    out[i++] = bad[k];
                }
                if (i < at + MARKER.length && random.nextBoolean()) {
                    out[i++] = 'x';
                }
            }
        }
        return out;
    }

    private static int indexOf(byte[] data, int from) {
        outer:
        for (int i = from; i <= data.length - MARKER.length; i++) {
            for (int k = 0; k < MARKER.length; k++) {
                if (data[i + k] != MARKER[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    // ------------------------------------------------------------------ JSON

    /** One mutation of one field of a JSON row (or of the row's shape): removed, any value, nested junk, a hostile string. */
    public void mutate(ObjectNode row) {
        List<String> names = new ArrayList<>();
        row.fieldNames().forEachRemaining(names::add);
        String field = names.get(random.nextInt(names.size()));
        switch (random.nextInt(6)) {
            case 0 -> row.remove(field);
            case 1 -> row.set(random.nextBoolean() ? field : "unknown_" + random.nextInt(100), randomValue(0));
            case 2 -> mutateNested(row, field);
            default -> row.put(field, hostileString());
        }
    }

    private void mutateNested(ObjectNode row, String field) {
        JsonNode value = row.get(field);
        if (value instanceof ArrayNode array) {
            array.add(random.nextBoolean() ? randomValue(0) : NODES.textNode(hostileString()));
        } else if (value instanceof ObjectNode object) {
            object.set(random.nextBoolean() ? "k" + random.nextInt(1000) + (char) random.nextInt(0xA0) : "camera",
                    random.nextBoolean() ? randomValue(0) : NODES.textNode(hostileString()));
        } else {
            row.set(field, deep(random.nextInt(28) + 1)); // within a 32-level reader limit: the row is read, the field refused
        }
    }

    /** Any JSON value: booleans, huge or negative numbers, null, hostile strings, arrays and objects of those. */
    public JsonNode randomValue(int depth) {
        return switch (random.nextInt(depth > 3 ? 6 : 8)) {
            case 0 -> NODES.booleanNode(random.nextBoolean());
            case 1 -> NODES.numberNode(random.nextInt());
            case 2 -> NODES.numberNode(random.nextBoolean() ? 1e300 * random.nextDouble() : -random.nextDouble());
            case 3 -> NODES.nullNode();
            case 4 -> NODES.textNode(hostileString());
            case 5 -> NODES.textNode(Long.toString(random.nextLong()));
            case 6 -> {
                ArrayNode a = NODES.arrayNode();
                for (int i = random.nextInt(4); i > 0; i--) {
                    a.add(randomValue(depth + 1));
                }
                yield a;
            }
            default -> {
                ObjectNode o = NODES.objectNode();
                for (int i = random.nextInt(4); i > 0; i--) {
                    o.set(hostileString(), randomValue(depth + 1));
                }
                yield o;
            }
        };
    }

    /** A value nested {@code depth} arrays or objects deep. */
    public JsonNode deep(int depth) {
        JsonNode node = NODES.textNode("bottom");
        for (int i = 0; i < depth; i++) {
            node = random.nextBoolean() ? NODES.arrayNode().add(node) : NODES.objectNode().set("id", node);
        }
        return node;
    }

    // ------------------------------------------------------------------ protobuf

    /**
     * One mutation of one field of the message or of a message inside it, chosen through the descriptor: cleared, a
     * hostile value of its type (strings from {@link #hostileString} or {@link #INVALID_UTF8}, NaN/infinite/huge
     * floats, negative and extreme integers, enum numbers no value has), thousands of entries in a repeated field or
     * map, or an unknown field. Encode the result and pass the bytes through {@link #breakUtf8}.
     */
    public void mutate(Message.Builder message) {
        List<FieldDescriptor> fields = message.getDescriptorForType().getFields();
        if (fields.isEmpty() || random.nextInt(25) == 0) {
            message.mergeUnknownFields(UnknownFieldSet.newBuilder().addField(1000 + random.nextInt(100_000),
                    UnknownFieldSet.Field.newBuilder().addLengthDelimited(ByteString.copyFrom(randomBytes(64))).addVarint(random.nextLong()).build()).build());
            return;
        }
        FieldDescriptor f = fields.get(random.nextInt(fields.size()));
        if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE && !f.isMapField() && random.nextInt(3) > 0) {
            if (!f.isRepeated()) { // into the message (set or not)
                Message.Builder inner = ((Message) message.getField(f)).toBuilder();
                mutate(inner);
                message.setField(f, inner.build());
                return;
            }
            int n = message.getRepeatedFieldCount(f);
            if (n > 0) {
                int i = random.nextInt(n);
                Message.Builder inner = ((Message) message.getRepeatedField(f, i)).toBuilder();
                mutate(inner);
                message.setRepeatedField(f, i, inner.build());
                return;
            }
        }
        switch (random.nextInt(8)) {
            case 0 -> message.clearField(f);
            case 1 -> {
                if (f.isRepeated()) {
                    flood(message, f);
                } else {
                    message.setField(f, hostileValue(message, f));
                }
            }
            default -> {
                if (f.isRepeated()) {
                    message.addRepeatedField(f, hostileValue(message, f));
                } else {
                    message.setField(f, hostileValue(message, f));
                }
            }
        }
    }

    private Object hostileValue(Message.Builder message, FieldDescriptor f) {
        return switch (f.getJavaType()) {
            case STRING -> random.nextInt(5) == 0 ? INVALID_UTF8 + (random.nextBoolean() ? "" : "x") : encodable(hostileString());
            case ENUM -> f.getEnumType().findValueByNumberCreatingIfUnknown(pick(-1, 5, 99, Integer.MAX_VALUE, Integer.MIN_VALUE));
            case FLOAT -> hostileFloat();
            case DOUBLE -> (double) hostileFloat();
            case INT -> pick(-1, Integer.MIN_VALUE, Integer.MAX_VALUE, 70_000, random.nextInt());
            case LONG -> random.nextBoolean() ? Long.MIN_VALUE : random.nextLong();
            case BOOLEAN -> random.nextBoolean();
            case BYTE_STRING -> ByteString.copyFrom(randomBytes(100));
            case MESSAGE -> {
                Message.Builder inner = message.newBuilderForField(f);
                if (f.isMapField()) {
                    for (FieldDescriptor kv : inner.getDescriptorForType().getFields()) {
                        inner.setField(kv, hostileValue(inner, kv));
                    }
                } else if (random.nextBoolean()) {
                    mutate(inner);
                }
                yield inner.build();
            }
        };
    }

    /**
     * {@code s} with each unpaired surrogate replaced by U+FFFD: protobuf would send it as {@code ?} (and log a warning
     * per string); invalid text on the wire is {@link #INVALID_UTF8}'s job.
     */
    private static String encodable(String s) {
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean paired = Character.isHighSurrogate(c) ? i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))
                    : Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
            if (Character.isSurrogate(c) && !paired) {
                if (out == null) {
                    out = new StringBuilder(s);
                }
                out.setCharAt(i, '\uFFFD');
            }
        }
        return out == null ? s : out.toString();
    }

    private float hostileFloat() {
        return switch (random.nextInt(9)) {
            case 0 -> Float.NaN;
            case 1 -> Float.POSITIVE_INFINITY;
            case 2 -> Float.NEGATIVE_INFINITY;
            case 3 -> -0.0f;
            case 4 -> Float.MAX_VALUE;
            case 5 -> Float.MIN_VALUE;
            case 6 -> -1;
            case 7 -> 2;
            default -> (random.nextFloat() - 0.5f) * 1e6f;
        };
    }

    /** Thousands of entries (past every list limit) in a repeated field or map: copies of a plain value, distinct map keys. */
    private void flood(Message.Builder message, FieldDescriptor f) {
        int n = pick(17, 257, 10_001, 100_001);
        Object plain = message.getRepeatedFieldCount(f) > 0 ? message.getRepeatedField(f, 0) : switch (f.getJavaType()) {
            case STRING -> "f";
            case ENUM -> f.getEnumType().findValueByNumberCreatingIfUnknown(1);
            case FLOAT -> 0.5f;
            case DOUBLE -> 0.5;
            case INT -> 1;
            case LONG -> 1L;
            case BOOLEAN -> true;
            case BYTE_STRING -> ByteString.EMPTY;
            case MESSAGE -> message.newBuilderForField(f).build();
        };
        if (f.isMapField()) {
            n = Math.min(n, 10_001);
            for (int i = 0; i < n; i++) {
                Message.Builder entry = message.newBuilderForField(f);
                FieldDescriptor key = entry.getDescriptorForType().findFieldByName("key");
                entry.setField(key, key.getJavaType() == FieldDescriptor.JavaType.STRING ? "k" + i : i);
                message.addRepeatedField(f, entry.build());
            }
            return;
        }
        for (int i = 0; i < n; i++) {
            message.addRepeatedField(f, plain);
        }
    }

    // ------------------------------------------------------------------ whole payloads

    /** Random bytes, at most {@code max} of them. */
    public byte[] randomBytes(int max) {
        byte[] b = new byte[random.nextInt(max + 1)];
        random.nextBytes(b);
        return b;
    }

    /** A valid payload broken as a whole: random bytes, truncated, a few bytes flipped, empty, or doubled. */
    public byte[] corrupt(byte[] valid) {
        return switch (random.nextInt(5)) {
            case 0 -> randomBytes(2000);
            case 1 -> Arrays.copyOf(valid, valid.length == 0 ? 0 : random.nextInt(valid.length));
            case 2 -> {
                byte[] b = valid.clone();
                for (int i = random.nextInt(5) + 1; i > 0 && b.length > 0; i--) {
                    b[random.nextInt(b.length)] = (byte) random.nextInt(256);
                }
                yield b;
            }
            case 3 -> new byte[0];
            default -> {
                byte[] b = Arrays.copyOf(valid, valid.length * 2);
                System.arraycopy(valid, 0, b, valid.length, valid.length);
                yield b;
            }
        };
    }

    @SafeVarargs
    private <T> T pick(T... choices) {
        return choices[random.nextInt(choices.length)];
    }
}

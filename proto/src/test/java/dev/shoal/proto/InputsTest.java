package dev.shoal.proto;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InputsTest {

    @Test
    void printable_ids_up_to_256_utf8_bytes_are_accepted() {
        assertNull(Inputs.idProblem("f-1"));
        assertNull(Inputs.idProblem("images/2024/ä-😀.png"));
        assertNull(Inputs.idProblem("a".repeat(256)));
        assertNull(Inputs.idProblem("é".repeat(128)));      // 2 bytes each
        assertNull(Inputs.idProblem("😀".repeat(64)));      // 4 bytes each, as surrogate pairs
    }

    @Test
    void ids_over_256_utf8_bytes_are_refused_counting_bytes_not_characters() {
        assertEquals("is longer than 256 UTF-8 bytes", Inputs.idProblem("a".repeat(257)));
        assertEquals("is longer than 256 UTF-8 bytes", Inputs.idProblem("é".repeat(129)));
        assertEquals("is longer than 256 UTF-8 bytes", Inputs.idProblem("😀".repeat(65)));
        assertEquals("is longer than 256 UTF-8 bytes", Inputs.idProblem("x".repeat(300)));
    }

    @Test
    void empty_ids_are_required() {
        assertEquals("is required", Inputs.idProblem(null));
        assertEquals("is required", Inputs.idProblem(""));
    }

    @Test
    void control_characters_nul_del_c1_and_space_are_refused_in_ids() {
        for (char c : new char[]{0, 1, '\t', '\n', 0x1F, 0x7F, 0x80, 0x85, 0x9F}) {
            String p = Inputs.idProblem("a" + c + "b");
            assertNotNull(p, "U+" + Integer.toHexString(c));
            assertTrue(p.contains(String.format("U+%04X", (int) c)) && p.contains("at character 1"), p);
        }
        assertTrue(Inputs.idProblem("a b").contains("space"));
        assertNull(Inputs.idProblem("a\u00A0b")); // NO-BREAK SPACE is printable, just after C1
    }

    @Test
    void unpaired_surrogates_are_refused_in_ids_and_text() {
        assertTrue(Inputs.idProblem("\uD800").contains("unpaired surrogate U+D800"));
        assertTrue(Inputs.idProblem("a\uDC00").contains("unpaired surrogate U+DC00"));
        assertTrue(Inputs.idProblem("\uD83D\uD83D").contains("unpaired surrogate"));
        assertTrue(Inputs.textProblem("x\uD800y", 100).contains("unpaired surrogate"));
        assertNull(Inputs.textProblem("\uD83D\uDE00", 4));
        assertEquals("is longer than 3 UTF-8 bytes", Inputs.textProblem("\uD83D\uDE00", 3));
    }

    @Test
    void text_allows_newlines_but_not_nul_and_is_bounded() {
        assertNull(Inputs.textProblem(null, 10));
        assertNull(Inputs.textProblem("", 10));
        assertNull(Inputs.textProblem("line 1\nline\t2", 100));
        assertTrue(Inputs.textProblem("a\u0000b", 100).contains("NUL"));
        assertEquals("is longer than 10 UTF-8 bytes", Inputs.textProblem("x".repeat(11), 10));
        assertEquals("is longer than 10 UTF-8 bytes", Inputs.textProblem("é".repeat(6), 10));
        assertEquals("is longer than 16384 UTF-8 bytes", Inputs.textProblem("x".repeat(10_000_000), Inputs.MAX_TEXT_BYTES));
    }

    @Test
    void parameters_refuse_controls_but_allow_spaces() {
        assertNull(Inputs.parameterProblem(null));
        assertNull(Inputs.parameterProblem("label errors"));
        assertTrue(Inputs.parameterProblem("a\u0000").contains("U+0000"));
        assertTrue(Inputs.parameterProblem("a\u0085").contains("U+0085"));
        assertTrue(Inputs.parameterProblem("\uDFFF").contains("unpaired"));
    }

    @Test
    void abbreviations_escape_controls_and_are_short() {
        assertEquals("aU+0000b", Inputs.abbreviate("a\u0000b"));
        assertEquals(64, Inputs.abbreviate("x".repeat(1000)).length());
    }

    @Test
    void the_first_bad_parameter_is_named() {
        assertNull(Inputs.parametersProblem(java.util.Map.of("id", java.util.List.of("f-1"))));
        assertEquals("frameId: must not contain the control character U+0000 (at character 1)",
                Inputs.parametersProblem(java.util.Map.of("frameId", java.util.List.of("a\u0000"))));
    }
}

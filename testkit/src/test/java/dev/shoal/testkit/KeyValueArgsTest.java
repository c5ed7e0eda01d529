package dev.shoal.testkit;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KeyValueArgsTest {

    @Test
    void reads_key_value_pairs_also_several_in_one_argument_with_defaults_for_the_rest() {
        KeyValueArgs a = new KeyValueArgs(new String[]{"n=5 spread=0.5", "name=x=y"});
        assertEquals(5, a.integer("n", 1));
        assertEquals(0.5, a.real("spread", 1.0));
        assertEquals("x=y", a.text("name", "d"));
        assertEquals(7, a.integer("k", 7));
        assertTrue(a.has("n"));
        assertFalse(a.has("k"));
    }

    @Test
    void refuses_an_argument_that_is_not_key_value_and_keys_a_tool_does_not_know() {
        IllegalArgumentException notKv = assertThrows(IllegalArgumentException.class, () -> new KeyValueArgs(new String[]{"file.jfr"}));
        assertTrue(notKv.getMessage().contains("'file.jfr' is not key=value"), notKv.getMessage());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> new KeyValueArgs(new String[]{"framez=3"}).only("frames", "batch"));
        assertTrue(unknown.getMessage().contains("'framez'") && unknown.getMessage().contains("frames, batch"), unknown.getMessage());
    }
}

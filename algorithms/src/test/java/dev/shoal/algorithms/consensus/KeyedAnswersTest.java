package dev.shoal.algorithms.consensus;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class KeyedAnswersTest {

    @Test
    void mapsIdsToIndicesAndResultsBackToClassNames() {
        KeyedAnswers<String, String> answers = new KeyedAnswers<>(List.of("cat", "dog"));
        answers.add("f1", "alice", "cat").add("f1", "bob", "cat").add("f1", "carol", "dog")
                .add("f2", "alice", "dog").add("f2", "bob", "dog");
        answers.addItem("f3");
        AnnotationSet set = answers.toSet();
        assertEquals(3, set.items());
        assertEquals(3, set.annotators());
        assertEquals(2, set.classes());
        ConsensusResult r = MajorityVote.fit(set);
        assertEquals("cat", answers.label(r, "f1"));
        assertEquals("dog", answers.label(r, "f2"));
        assertNull(answers.label(r, "f3"), "nobody answered f3");
        assertNull(answers.label(r, "unknown"));
        assertEquals(0.0, r.agreement()[answers.annotatorIndex("carol")], 1e-12);   // carol said dog on f1 only
        assertEquals(1.0, r.agreement()[answers.annotatorIndex("alice")], 1e-12);
    }

    @Test
    void aFixedSchemaRefusesOtherClassesAndAnOpenOneGrows() {
        KeyedAnswers<String, String> fixed = new KeyedAnswers<>(List.of("cat"));
        assertThrows(IllegalArgumentException.class, () -> fixed.add("f", "a", "horse"));
        KeyedAnswers<Integer, Integer> open = new KeyedAnswers<>();
        open.add(1, 7, "horse").add(1, 8, "zebra");
        assertEquals(List.of("horse", "zebra"), open.classes());
    }
}

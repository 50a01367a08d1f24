-- Deploy vestige:function_contradicts
-- The contradiction signal of ingest gating (there is no language model in the database): does
-- a new text say the opposite of the old one, about the same thing? vestige.ingest consults it
-- on the nearest neighbour it locked. The rule is on the pair: the two texts say nearly the same
-- words, and one is negated where the other is not, or they hold as many values (numbers,
-- times, versions, dates, named days and months) and the values differ. "Build server alpha has
-- 16 GB" and "Build server beta has 32 GB" are about two servers: no contradiction. The
-- patterns and the limit are the constants at the top of the function, and only there.

BEGIN;
SET LOCAL ROLE vestige_owner;

CREATE FUNCTION vestige.contradicts(p_new text, p_old text)
RETURNS boolean
LANGUAGE plpgsql
IMMUTABLE STRICT PARALLEL SAFE
SET search_path = vestige, pg_catalog, pg_temp
AS $$
DECLARE
    -- A token: a number, a time, a version or a numeric date (16, 02:00, 3.5, 1,000,
    -- 2024-05-01, 5/1), or a word with its apostrophes (isn't).
    c_token    CONSTANT text := '(\d+(?:[.,:/-]\d+)*|[[:alpha:]]+(?:''[[:alpha:]]+)*)';
    -- A negation: not, no, never, ... or a word ending in n't (lower case: the text is lowered).
    c_negation CONSTANT text := '^(?:not|no|never|none|nothing|nobody|neither|nor|cannot|without)$|n''t$';
    -- A value: a number as above, or a named day or month ("may" is left out: mostly a verb).
    c_value    CONSTANT text := '^\d|^(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|april|june|july|august|september|october|november|december)$';
    -- Nearly the same words: each word of the text with fewer words is in the other, which has
    -- at most this many more ("now", "still", "no longer").
    c_extra_words CONSTANT integer := 2;
    v_side  record;
    v_new   record;
    v_old   record;
    v_fewer text[];
    v_more  text[];
BEGIN
    -- Each text as its values (sorted), its other words (a set; a plural s dropped: likes = like)
    -- and whether it is negated.
    FOR v_side IN
        WITH token AS (
            SELECT s.side, t.m[1] AS tok
              FROM (VALUES (1, lower(p_new)), (2, lower(p_old))) AS s(side, txt)
             CROSS JOIN LATERAL regexp_matches(s.txt, c_token, 'g') AS t(m)
        )
        SELECT s.side,
               coalesce(array_agg(t.tok ORDER BY t.tok) FILTER (WHERE t.tok ~ c_value), '{}') AS vals,
               coalesce(array_agg(DISTINCT regexp_replace(t.tok, '^(.{3,}[^s])s$', '\1'))
                            FILTER (WHERE t.tok !~ c_value AND t.tok !~ c_negation), '{}') AS words,
               coalesce(bool_or(t.tok ~ c_negation), false) AS negated
          FROM (VALUES (1), (2)) AS s(side)
          LEFT JOIN token AS t ON t.side = s.side
         GROUP BY s.side
    LOOP
        IF v_side.side = 1 THEN
            v_new := v_side;
        ELSE
            v_old := v_side;
        END IF;
    END LOOP;
    IF cardinality(v_new.words) <= cardinality(v_old.words) THEN
        v_fewer := v_new.words;
        v_more  := v_old.words;
    ELSE
        v_fewer := v_old.words;
        v_more  := v_new.words;
    END IF;
    IF NOT (v_fewer <@ v_more AND cardinality(v_more) - cardinality(v_fewer) <= c_extra_words) THEN
        RETURN false;  -- not about the same thing
    END IF;
    RETURN v_new.negated <> v_old.negated
        OR (cardinality(v_new.vals) > 0 AND cardinality(v_new.vals) = cardinality(v_old.vals) AND v_new.vals <> v_old.vals);
END
$$;

COMMENT ON FUNCTION vestige.contradicts(text, text) IS
'Return whether the new text contradicts the old one, judged on the pair (case-insensitive). Each text is split into values (numbers, times, versions, numeric dates such as 16, 02:00, 3.5, 2024-05-01, and the names of days and months except May), negations (not, no, never, none, nothing, nobody, neither, nor, cannot, without, and words ending in n''t) and other words (a final s of a word of 5 or more letters dropped). The texts must be about the same thing: every other word of the text with fewer of them appears in the other text, which has at most 2 more. Then they contradict when exactly one is negated, or when they hold as many values (at least one) and the values differ. So "Backups run at 03:00" contradicts "Backups run at 02:00", but "Build server beta has 32 GB RAM" does not contradict "Build server alpha has 16 GB RAM". A cheap signal without a language model: ingest consults it only on a near neighbour (cosine similarity >= 0.70). NULL when a text is NULL.';

GRANT EXECUTE ON FUNCTION vestige.contradicts(text, text) TO vestige_app;

COMMIT;

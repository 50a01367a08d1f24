-- Deploy vestige:function_contradicts
-- The contradiction signal of ingest gating (there is no language model in the database): does
-- a new text look like it contradicts the old one? vestige.ingest consults it on the nearest
-- neighbour it locked, where the two texts already talk about the same thing. The patterns are
-- the constants at the top of the function, and only there.

BEGIN;
SET LOCAL ROLE vestige_owner;

CREATE FUNCTION vestige.contradicts(p_new text, p_old text)
RETURNS boolean
LANGUAGE plpgsql
IMMUTABLE STRICT PARALLEL SAFE
SET search_path = vestige, pg_catalog, pg_temp
AS $$
DECLARE
    -- A negation, as a whole word (case-insensitive): "not", "never", "no longer", "isn't", ...
    c_negation CONSTANT text := '\m(not|no|never|none|nothing|nobody|neither|nor|cannot|no longer|without)\M|n''t\M';
    -- A number, a time, a version or a numeric date: 16, 02:00, 3.5, 1,000, 2024-05-01, 5/1.
    c_number   CONSTANT text := '\d+([.,:/-]\d+)*';
    -- A named day or month ("may" is left out: it is mostly a verb).
    c_date     CONSTANT text := '\m(monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|april|june|july|august|september|october|november|december)\M';
    v_new_numbers text[];
    v_old_numbers text[];
    v_new_dates   text[];
    v_old_dates   text[];
BEGIN
    IF (p_new ~* c_negation) <> (p_old ~* c_negation) THEN
        RETURN true;  -- negated on one side only
    END IF;
    v_new_numbers := ARRAY(SELECT DISTINCT m[1] FROM regexp_matches(p_new, '(' || c_number || ')', 'g') AS m ORDER BY 1);
    v_old_numbers := ARRAY(SELECT DISTINCT m[1] FROM regexp_matches(p_old, '(' || c_number || ')', 'g') AS m ORDER BY 1);
    v_new_dates := ARRAY(SELECT DISTINCT lower(m[1]) FROM regexp_matches(p_new, c_date, 'gi') AS m ORDER BY 1);
    v_old_dates := ARRAY(SELECT DISTINCT lower(m[1]) FROM regexp_matches(p_old, c_date, 'gi') AS m ORDER BY 1);
    RETURN (cardinality(v_new_numbers) > 0 AND cardinality(v_old_numbers) > 0 AND v_new_numbers <> v_old_numbers)
        OR (cardinality(v_new_dates) > 0 AND cardinality(v_old_dates) > 0 AND v_new_dates <> v_old_dates);
END
$$;

COMMENT ON FUNCTION vestige.contradicts(text, text) IS
'Return whether the new text looks like it contradicts the old one: exactly one of them is negated (a whole word not, no, never, none, nothing, nobody, neither, nor, cannot, no longer, without, or a word ending in n''t; case-insensitive), or both hold numbers (numbers, times, versions, numeric dates such as 16, 02:00, 3.5, 2024-05-01) and the sets differ, or both name days or months (Monday-Sunday, January-December except May; case-insensitive) and the sets differ. A cheap signal without a language model: ingest consults it only on a near neighbour (cosine similarity >= 0.70). NULL when a text is NULL.';

GRANT EXECUTE ON FUNCTION vestige.contradicts(text, text) TO vestige_app;

COMMIT;

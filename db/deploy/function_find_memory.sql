-- Deploy vestige:function_find_memory
-- A memory named by the first characters of its id, as tables print it (like a git hash): the
-- one visible memory whose id starts with them.

BEGIN;
SET LOCAL ROLE vestige_owner;

-- why: definer so a prefix resolves among the memories visible to the caller only: another
-- user's private memory is neither found nor counted.
CREATE FUNCTION vestige.find_memory(p_id text)
RETURNS uuid
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = vestige, pg_catalog, public, pg_temp
AS $$
DECLARE
    c_min_prefix CONSTANT integer := 4;  -- hex digits
    v_user   uuid   := vestige.current_user_id();
    v_groups uuid[] := vestige.current_user_groups();
    v_hex    text   := lower(replace(btrim(coalesce(p_id, '')), '-', ''));
    v_found  uuid[];
BEGIN
    IF v_hex !~ ('^[0-9a-f]{' || c_min_prefix || ',32}$') THEN
        RAISE EXCEPTION 'invalid memory id %: give the id or at least its first % hex digits', coalesce(quote_literal(p_id), 'NULL'), c_min_prefix
            USING ERRCODE = 'VS006', HINT = 'Copy the id from a search, or use --json for whole ids.';
    END IF;
    -- The ids starting with the prefix are one range of the primary key.
    v_found := ARRAY(
        SELECT n.id FROM vestige.knowledge_nodes AS n
         WHERE n.id BETWEEN rpad(v_hex, 32, '0')::uuid AND rpad(v_hex, 32, 'f')::uuid
           AND vestige.is_visible(n.visibility, n.owner_user_id, n.shared_with_groups, v_user, v_groups)
         ORDER BY n.id
         LIMIT 2);
    IF cardinality(v_found) = 0 THEN
        RAISE EXCEPTION 'no memory you can see has an id starting with %', v_hex
            USING ERRCODE = 'VS008', HINT = 'Check the id; a memory of someone else that is not shared with you is not found.';
    END IF;
    IF cardinality(v_found) > 1 THEN
        RAISE EXCEPTION 'more than one memory has an id starting with %', v_hex
            USING ERRCODE = 'VS006', HINT = 'Give more characters of the id (--json prints whole ids).';
    END IF;
    RETURN v_found[1];
END
$$;

COMMENT ON FUNCTION vestige.find_memory(text) IS
'Return the id of the one memory visible to the caller whose id starts with p_id: a whole id, or at least its first 4 hex digits (dashes and case ignored), as tables print it. Errors: VS001 no caller identity, VS006 fewer than 4 hex digits or not hex, or more than one visible memory starts with them, VS008 none does (memories the caller cannot see are neither found nor counted).';

GRANT EXECUTE ON FUNCTION vestige.find_memory(text) TO vestige_app;

COMMIT;

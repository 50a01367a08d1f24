-- Deploy vestige:function_touch_memories
-- The testing effect: memories a search returned get a little stronger. Only the caller's own
-- memories change; recalling someone else's shared or public memory does not strengthen it.

BEGIN;
SET LOCAL ROLE vestige_owner;

-- why: definer so only the caller's own rows change, whatever the table grants.
CREATE FUNCTION vestige.touch_memories(p_ids uuid[] DEFAULT '{}')
RETURNS integer
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = vestige, pg_catalog, public, pg_temp
AS $$
DECLARE
    v_user    uuid   := vestige.current_user_id();
    v_groups  uuid[] := vestige.current_user_groups();
    v_touched integer;
BEGIN
    IF p_ids IS NULL OR cardinality(p_ids) = 0 THEN
        RETURN 0;
    END IF;

    -- Lock in id order first, so concurrent recalls over overlapping sets cannot deadlock.
    PERFORM FROM vestige.knowledge_nodes AS n
     WHERE n.id = ANY (p_ids)
       AND n.owner_user_id = v_user
       AND vestige.is_visible(n.visibility, n.owner_user_id, n.shared_with_groups, v_user, v_groups)
     ORDER BY n.id
       FOR NO KEY UPDATE;

    -- = ANY matches each row once, so a duplicated id is touched once.
    UPDATE vestige.knowledge_nodes AS n
       SET retrieval_strength = least(n.retrieval_strength + 0.05, 1.0),
           retention_strength = least(n.retention_strength + 0.02, 1.0),
           access_count       = n.access_count + 1,
           last_accessed      = now()
     WHERE n.id = ANY (p_ids)
       AND n.owner_user_id = v_user
       AND vestige.is_visible(n.visibility, n.owner_user_id, n.shared_with_groups, v_user, v_groups);
    GET DIAGNOSTICS v_touched = ROW_COUNT;
    RETURN v_touched;
END
$$;

COMMENT ON FUNCTION vestige.touch_memories(uuid[]) IS
'Apply the testing effect to memories a search returned and return how many changed: for each id the caller owns, retrieval strength +0.05 and retention strength +0.02 (each capped at 1), access_count +1, last_accessed = now(). Ids the caller does not own (shared, public, invisible or missing) are skipped silently; a duplicated id counts once; NULL or empty returns 0. Raises VS001 without a caller identity.';

GRANT EXECUTE ON FUNCTION vestige.touch_memories(uuid[]) TO vestige_app;

COMMIT;

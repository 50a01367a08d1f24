-- Deploy vestige:function_list_memories
-- The memories the caller can see, newest first, filtered by codebase, type and tags: what an
-- assistant reads as the context of a codebase.

BEGIN;
SET LOCAL ROLE vestige_owner;

-- why: definer so the visibility predicate is applied in the query, where the indexes can serve it.
CREATE FUNCTION vestige.list_memories(
    p_codebase   text    DEFAULT NULL,
    p_node_types text[]  DEFAULT NULL,
    p_tags       text[]  DEFAULT NULL,
    p_limit      integer DEFAULT 20
)
RETURNS TABLE (
    id                 uuid,
    content            text,
    node_type          text,
    tags               text[],
    codebase           text,
    owner_user_id      uuid,
    visibility         text,
    retention_strength double precision,
    created_at         timestamptz,
    updated_at         timestamptz
)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = vestige, pg_catalog, public, pg_temp
AS $$
DECLARE
    v_user   uuid   := vestige.current_user_id();
    v_groups uuid[] := vestige.current_user_groups();
BEGIN
    IF p_limit IS NULL OR p_limit NOT BETWEEN 1 AND 1000 THEN
        RAISE EXCEPTION 'limit must be between 1 and 1000, not %', coalesce(p_limit::text, 'NULL')
            USING ERRCODE = 'VS006', HINT = 'Pass p_limit between 1 and 1000.';
    END IF;
    RETURN QUERY
    SELECT n.id, n.content, n.node_type, n.tags, n.codebase, n.owner_user_id, n.visibility,
           n.retention_strength, n.created_at, n.updated_at
      FROM vestige.knowledge_nodes AS n
     WHERE vestige.is_visible(n.visibility, n.owner_user_id, n.shared_with_groups, v_user, v_groups)
       AND n.superseded_by IS NULL
       AND (p_codebase IS NULL OR n.codebase = p_codebase)
       AND (p_node_types IS NULL OR n.node_type = ANY (p_node_types))
       AND (p_tags IS NULL OR n.tags && p_tags)
     ORDER BY n.created_at DESC, n.id
     LIMIT p_limit;
END
$$;

COMMENT ON FUNCTION vestige.list_memories(text, text[], text[], integer) IS
'Return the memories the caller can see that are not superseded, newest first (ties by id), at most p_limit (1-1000, default 20), optionally only of one codebase, of some node types, or with one of some tags: id, content, type, tags, codebase, owner, visibility, retention strength, created_at, updated_at. Errors: VS001 no caller identity, VS006 limit outside 1-1000.';

GRANT EXECUTE ON FUNCTION vestige.list_memories(text, text[], text[], integer) TO vestige_app;

COMMIT;

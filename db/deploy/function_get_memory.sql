-- Deploy vestige:function_get_memory
-- One visible memory with its read-time retention. Reading does not count as an access: the
-- testing effect is touch_memories.

BEGIN;
SET LOCAL ROLE vestige_owner;

-- why: definer so the visibility predicate is applied in the query, where the indexes work.
CREATE FUNCTION vestige.get_memory(p_id uuid)
RETURNS TABLE (
    id                 uuid,
    content            text,
    node_type          text,
    tags               text[],
    source             text,
    metadata           jsonb,
    domains            text[],
    domain_scores      jsonb,
    codebase           text,
    valid_from         timestamptz,
    valid_until        timestamptz,
    owner_user_id      uuid,
    visibility         text,
    shared_with_groups uuid[],
    storage_strength   double precision,
    retrieval_strength double precision,
    retention_strength double precision,
    retention          double precision,
    access_count       integer,
    last_accessed      timestamptz,
    protected          boolean,
    superseded_by      uuid,
    created_at         timestamptz,
    updated_at         timestamptz,
    has_embedding      boolean
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
    RETURN QUERY
    SELECT n.id, n.content, n.node_type, n.tags, n.source, n.metadata, n.domains, n.domain_scores,
           n.codebase, n.valid_from, n.valid_until, n.owner_user_id, n.visibility, n.shared_with_groups,
           n.storage_strength, n.retrieval_strength, n.retention_strength,
           vestige.retention_now(n.retrieval_strength, n.storage_strength, n.last_accessed, s.stability, now()),
           n.access_count, n.last_accessed, n.protected, n.superseded_by, n.created_at, n.updated_at,
           n.embedding IS NOT NULL
      FROM vestige.knowledge_nodes AS n
      LEFT JOIN vestige.scheduling AS s ON s.memory_id = n.id
     WHERE n.id = p_id
       AND vestige.is_visible(n.visibility, n.owner_user_id, n.shared_with_groups, v_user, v_groups);
    IF NOT FOUND THEN
        RAISE EXCEPTION 'memory % not found', p_id
            USING ERRCODE = 'VS008', HINT = 'Check the id; a memory that is not shared with you is reported as not found.';
    END IF;
END
$$;

COMMENT ON FUNCTION vestige.get_memory(uuid) IS
'Return one memory visible to the caller, with its read-time retention and whether it has an embedding (never the vector itself). Raises VS008 when it does not exist or is not visible.';

GRANT EXECUTE ON FUNCTION vestige.get_memory(uuid) TO vestige_app;

COMMIT;

-- Deploy vestige:function_promote_memory
-- Thumbs up: a memory the caller owns proved useful. Upstream Vestige v2 semantics: retrieval
-- strength +0.20, retention strength +0.10 (capped at 1), FSRS stability x 1.5, and the
-- promotion counts as a recall (last_accessed = now()).

BEGIN;
SET LOCAL ROLE vestige_owner;

-- why: definer so only the owner can change a memory's strengths, whatever the table grants.
CREATE FUNCTION vestige.promote_memory(p_id uuid)
RETURNS TABLE (
    id                 uuid,
    storage_strength   double precision,
    retrieval_strength double precision,
    retention_strength double precision,
    stability          double precision
)
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = vestige, pg_catalog, public, pg_temp
AS $$
BEGIN
    PERFORM vestige.check_owner(p_id);

    RETURN QUERY
    WITH node AS (
        UPDATE vestige.knowledge_nodes AS n
           SET retrieval_strength = least(n.retrieval_strength + 0.20, 1.0),
               retention_strength = least(n.retention_strength + 0.10, 1.0),
               last_accessed      = now()
         WHERE n.id = p_id
        RETURNING n.id, n.storage_strength, n.retrieval_strength, n.retention_strength
    ), sched AS (
        UPDATE vestige.scheduling AS s
           SET stability = s.stability * 1.5
         WHERE s.memory_id = p_id
        RETURNING s.memory_id, s.stability
    )
    SELECT node.id, node.storage_strength, node.retrieval_strength, node.retention_strength, sched.stability
      FROM node
      LEFT JOIN sched ON sched.memory_id = node.id;
END
$$;

COMMENT ON FUNCTION vestige.promote_memory(uuid) IS
'Promote a memory the caller owns (it proved useful) and return its new strengths: retrieval strength +0.20 and retention strength +0.10 (each capped at 1), FSRS stability x 1.5 (stays NULL while the memory is new), last_accessed = now(). Errors: VS001 no caller identity, VS008 not found or not visible, VS009 not the owner.';

GRANT EXECUTE ON FUNCTION vestige.promote_memory(uuid) TO vestige_app;

COMMIT;

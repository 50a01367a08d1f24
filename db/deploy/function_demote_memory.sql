-- Deploy vestige:function_demote_memory
-- Thumbs down: a memory the caller owns led to a bad outcome. Upstream Vestige v2 semantics:
-- retrieval strength -0.30, retention strength -0.15 (floor 0.05), FSRS stability x 0.5. Unlike
-- upstream's MAX(0.05, x - 0.30), a value already below the floor is kept, not raised. The
-- memory stays (it is not deleted) but ranks lower. last_accessed is left alone: a demotion is
-- not a recall, and stamping it would make the read-time retention look freshly recalled.

BEGIN;
SET LOCAL ROLE vestige_owner;

-- why: definer so only the owner can change a memory's strengths, whatever the table grants.
CREATE FUNCTION vestige.demote_memory(p_id uuid)
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
           SET retrieval_strength = greatest(n.retrieval_strength - 0.30, least(n.retrieval_strength, 0.05)),
               retention_strength = greatest(n.retention_strength - 0.15, least(n.retention_strength, 0.05))
         WHERE n.id = p_id
        RETURNING n.id, n.storage_strength, n.retrieval_strength, n.retention_strength
    ), sched AS (
        UPDATE vestige.scheduling AS s
           SET stability = s.stability * 0.5
         WHERE s.memory_id = p_id
        RETURNING s.memory_id, s.stability
    )
    SELECT node.id, node.storage_strength, node.retrieval_strength, node.retention_strength, sched.stability
      FROM node
      LEFT JOIN sched ON sched.memory_id = node.id;
END
$$;

COMMENT ON FUNCTION vestige.demote_memory(uuid) IS
'Demote a memory the caller owns (it led to a bad outcome) and return its new strengths: retrieval strength -0.30 and retention strength -0.15 (each with a floor of 0.05; a value already below the floor is left as it is, never raised), FSRS stability x 0.5 (stays NULL while the memory is new). last_accessed is unchanged, since a demotion is not a recall. Errors: VS001 no caller identity, VS008 not found or not visible, VS009 not the owner.';

GRANT EXECUTE ON FUNCTION vestige.demote_memory(uuid) TO vestige_app;

COMMIT;

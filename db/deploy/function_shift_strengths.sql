-- Deploy vestige:function_shift_strengths
-- The one rule promote_memory and demote_memory apply with their own constants: move the
-- retrieval and retention strengths of a memory the caller owns (capped at 1; floor 0.05, and a
-- value already below the floor is kept, never raised), scale its FSRS stability, and stamp
-- last_accessed when the change counts as a recall.

BEGIN;
SET LOCAL ROLE vestige_owner;

CREATE FUNCTION vestige.shift_strengths(
    p_id               uuid,
    p_retrieval_delta  double precision,
    p_retention_delta  double precision,
    p_stability_factor double precision,
    p_recalled         boolean
)
RETURNS TABLE (
    id                 uuid,
    storage_strength   double precision,
    retrieval_strength double precision,
    retention_strength double precision,
    stability          double precision
)
LANGUAGE plpgsql
VOLATILE
SET search_path = vestige, pg_catalog, public, pg_temp
AS $$
BEGIN
    PERFORM vestige.check_owner(p_id);

    RETURN QUERY
    WITH node AS (
        UPDATE vestige.knowledge_nodes AS n
           SET retrieval_strength = least(greatest(n.retrieval_strength + p_retrieval_delta,
                                                   least(n.retrieval_strength, 0.05)), 1.0),
               retention_strength = least(greatest(n.retention_strength + p_retention_delta,
                                                   least(n.retention_strength, 0.05)), 1.0),
               last_accessed      = CASE WHEN p_recalled THEN now() ELSE n.last_accessed END
         WHERE n.id = p_id
        RETURNING n.id, n.storage_strength, n.retrieval_strength, n.retention_strength
    ), sched AS (
        UPDATE vestige.scheduling AS s
           SET stability = s.stability * p_stability_factor
         WHERE s.memory_id = p_id
        RETURNING s.memory_id, s.stability
    )
    SELECT node.id, node.storage_strength, node.retrieval_strength, node.retention_strength, sched.stability
      FROM node
      LEFT JOIN sched ON sched.memory_id = node.id;
END
$$;

COMMENT ON FUNCTION vestige.shift_strengths(uuid, double precision, double precision, double precision, boolean) IS
'Move the retrieval and retention strengths of a memory the caller owns by the deltas (capped at 1; floor 0.05, a value already below it kept), multiply its FSRS stability (NULL stays NULL), set last_accessed = now() when p_recalled, and return the new values. Errors: VS008, VS009 (vestige.check_owner).';

COMMIT;

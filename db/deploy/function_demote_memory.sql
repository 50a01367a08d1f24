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
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = vestige, pg_catalog, public, pg_temp
AS $$
    SELECT * FROM vestige.shift_strengths(p_id, -0.30, -0.15, 0.5, false);
$$;

COMMENT ON FUNCTION vestige.demote_memory(uuid) IS
'Demote a memory the caller owns (it led to a bad outcome) and return its new strengths: retrieval strength -0.30 and retention strength -0.15 (each with a floor of 0.05; a value already below the floor is left as it is, never raised), FSRS stability x 0.5 (stays NULL while the memory is new). last_accessed is unchanged, since a demotion is not a recall. Errors: VS001 no caller identity, VS008 not found or not visible, VS009 not the owner.';

GRANT EXECUTE ON FUNCTION vestige.demote_memory(uuid) TO vestige_app;

COMMIT;

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
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = vestige, pg_catalog, public, pg_temp
AS $$
    SELECT * FROM vestige.shift_strengths(p_id, 0.20, 0.10, 1.5, true);
$$;

COMMENT ON FUNCTION vestige.promote_memory(uuid) IS
'Promote a memory the caller owns (it proved useful) and return its new strengths: retrieval strength +0.20 and retention strength +0.10 (each capped at 1), FSRS stability x 1.5 (stays NULL while the memory is new), last_accessed = now(). Errors: VS001 no caller identity, VS008 not found or not visible, VS009 not the owner.';

GRANT EXECUTE ON FUNCTION vestige.promote_memory(uuid) TO vestige_app;

COMMIT;

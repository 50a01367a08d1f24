-- Deploy vestige:function_get_scheduling
-- The FSRS scheduling row of a visible memory, with its retrievability now.

BEGIN;
SET LOCAL ROLE vestige_owner;

-- why: definer so the visibility predicate is applied in the query, where the indexes can serve it.
CREATE FUNCTION vestige.get_scheduling(p_memory_id uuid)
RETURNS TABLE (
    memory_id          uuid,
    stability          double precision,
    difficulty         double precision,
    retrievability     double precision,
    state              text,
    step               integer,
    reps               integer,
    lapses             integer,
    last_review        timestamptz,
    next_review        timestamptz,
    retrievability_now double precision
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
    -- retrievability_now as py-fsrs's get_card_retrievability: whole days since the last
    -- review, decay w20 from vestige.fsrs_parameters(), 0 when never reviewed
    RETURN QUERY
    SELECT s.memory_id, s.stability, s.difficulty, s.retrievability, s.state, s.step, s.reps,
           s.lapses, s.last_review, s.next_review,
           CASE WHEN s.last_review IS NULL OR s.stability IS NULL THEN 0.0::double precision
                ELSE vestige.fsrs_retrievability(
                         floor(extract(epoch FROM now() - s.last_review) / 86400)::double precision,
                         s.stability, (vestige.fsrs_parameters()).w[20]) END
      FROM vestige.knowledge_nodes AS n
      JOIN vestige.scheduling AS s ON s.memory_id = n.id
     WHERE n.id = p_memory_id
       AND vestige.is_visible(n.visibility, n.owner_user_id, n.shared_with_groups, v_user, v_groups);
    IF NOT FOUND THEN
        RAISE EXCEPTION 'memory % not found', p_memory_id
            USING ERRCODE = 'VS008', HINT = 'Check the id; a memory that is not shared with you is reported as not found.';
    END IF;
END
$$;

COMMENT ON FUNCTION vestige.get_scheduling(uuid) IS
'Return the FSRS-6 scheduling row of a memory visible to the caller (stability, difficulty, stored retrievability, state, step, reps, lapses, last and next review) plus retrievability_now: the FSRS-6 recall probability at now(), counted in whole days since the last review as py-fsrs does, 0 when never reviewed. Errors: VS008 memory not found or not visible.';

GRANT EXECUTE ON FUNCTION vestige.get_scheduling(uuid) TO vestige_app;

COMMIT;

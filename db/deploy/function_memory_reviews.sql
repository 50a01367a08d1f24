-- Deploy vestige:function_memory_reviews
-- The review history of a visible memory, from the append-only log vestige.review_events.

BEGIN;
SET LOCAL ROLE vestige_owner;

-- why: definer so the visibility predicate is applied in the query, where the indexes can serve it.
CREATE FUNCTION vestige.memory_reviews(p_memory_id uuid, p_limit integer DEFAULT 100)
RETURNS TABLE (
    reviewed_at  timestamptz,
    rating       integer,
    state_before text,
    state_after  text,
    stability    double precision,
    difficulty   double precision,
    next_review  timestamptz
)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = vestige, pg_catalog, pg_temp
AS $$
DECLARE
    v_user   uuid   := vestige.current_user_id();
    v_groups uuid[] := vestige.current_user_groups();
BEGIN
    IF p_limit IS NULL OR p_limit NOT BETWEEN 1 AND 1000 THEN
        RAISE EXCEPTION 'limit % is outside 1-1000', coalesce(p_limit::text, 'NULL')
            USING ERRCODE = 'VS006', HINT = 'Ask for 1 to 1000 reviews.';
    END IF;
    PERFORM FROM vestige.knowledge_nodes AS n
     WHERE n.id = p_memory_id
       AND vestige.is_visible(n.visibility, n.owner_user_id, n.shared_with_groups, v_user, v_groups);
    IF NOT FOUND THEN
        RAISE EXCEPTION 'memory % not found', p_memory_id
            USING ERRCODE = 'VS008', HINT = 'Check the id; a memory that is not shared with you is reported as not found.';
    END IF;

    RETURN QUERY
    SELECT e.reviewed_at, e.rating::integer, e.prior_state ->> 'state', e.new_state ->> 'state',
           (e.new_state ->> 'stability')::double precision, (e.new_state ->> 'difficulty')::double precision,
           (e.new_state ->> 'next_review')::timestamptz
      FROM vestige.review_events AS e
     WHERE e.memory_id = p_memory_id
     ORDER BY e.reviewed_at DESC, e.id DESC
     LIMIT p_limit;
END
$$;

COMMENT ON FUNCTION vestige.memory_reviews(uuid, integer) IS
'Return the reviews of a memory visible to the caller, newest first, at most p_limit (1-1000, default 100): when, the rating (1 again, 2 hard, 3 good, 4 easy), the FSRS state before and after, and the stability, difficulty and next review after it. Errors: VS001 no caller identity, VS006 limit outside 1-1000, VS008 memory not found or not visible.';

GRANT EXECUTE ON FUNCTION vestige.memory_reviews(uuid, integer) TO vestige_app;

COMMIT;

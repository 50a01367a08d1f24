-- Deploy vestige:function_due_memories
-- The caller's own memories due for review, oldest due first.

BEGIN;
SET LOCAL ROLE vestige_owner;

-- why: definer so the owner and visibility predicates are applied in the query, where the indexes can serve them.
CREATE FUNCTION vestige.due_memories(
    p_before timestamptz DEFAULT now(),
    p_limit  integer     DEFAULT 20
)
RETURNS TABLE (
    memory_id   uuid,
    content     text,
    node_type   text,
    state       text,
    next_review timestamptz,
    stability   double precision,
    difficulty  double precision,
    reps        integer
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
            USING ERRCODE = 'VS006', HINT = 'Pass p_limit between 1 and 1000, and page by next_review.';
    END IF;
    IF p_before IS NULL THEN
        RAISE EXCEPTION 'p_before is NULL'
            USING ERRCODE = 'VS006', HINT = 'Leave p_before out for memories due now.';
    END IF;
    -- only the caller's own memories: reviewing is owner-only, so nothing else is due for them
    RETURN QUERY
    SELECT n.id, n.content, n.node_type, s.state, s.next_review, s.stability, s.difficulty, s.reps
      FROM vestige.scheduling AS s
      JOIN vestige.knowledge_nodes AS n ON n.id = s.memory_id
     WHERE s.next_review <= p_before
       AND n.owner_user_id = v_user
       AND vestige.is_visible(n.visibility, n.owner_user_id, n.shared_with_groups, v_user, v_groups)
     ORDER BY s.next_review, n.id
     LIMIT p_limit;
END
$$;

COMMENT ON FUNCTION vestige.due_memories(timestamptz, integer) IS
'Return the caller''s own memories due for review (next_review <= p_before, default now), oldest due first, ties by id, at most p_limit (1-1000, default 20): id, content, type, FSRS state, next review, stability, difficulty, reps. Shared memories of other users are never due for the caller, since only the owner may review. Errors: VS006 limit outside 1-1000 or p_before NULL.';

GRANT EXECUTE ON FUNCTION vestige.due_memories(timestamptz, integer) TO vestige_app;

COMMIT;

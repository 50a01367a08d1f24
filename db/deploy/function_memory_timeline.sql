-- Deploy vestige:function_memory_timeline (reworked: by event time)
-- How many memories the caller can see happened on each recent day: a memory counts on the day
-- of its event time (valid_from: when it happened or became true), else of when it was stored.

BEGIN;
SET LOCAL ROLE vestige_owner;

-- why: definer so the visibility predicate is applied in the query.
CREATE OR REPLACE FUNCTION vestige.memory_timeline(p_days integer DEFAULT 30)
RETURNS TABLE (
    day      date,
    memories bigint
)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = vestige, pg_catalog, public, pg_temp
AS $$
DECLARE
    v_user   uuid   := vestige.current_user_id();
    v_groups uuid[] := vestige.current_user_groups();
    v_today  date;
BEGIN
    IF p_days IS NULL OR p_days NOT BETWEEN 1 AND 3660 THEN
        RAISE EXCEPTION 'days must be between 1 and 3660, not %', coalesce(p_days::text, 'NULL')
            USING ERRCODE = 'VS006', HINT = 'Pass p_days between 1 and 3660.';
    END IF;
    v_today := (now() AT TIME ZONE 'UTC')::date;
    RETURN QUERY
    SELECT (coalesce(n.valid_from, n.created_at) AT TIME ZONE 'UTC')::date AS d, count(*)
      FROM vestige.knowledge_nodes AS n
     WHERE vestige.is_visible(n.visibility, n.owner_user_id, n.shared_with_groups, v_user, v_groups)
       AND coalesce(n.valid_from, n.created_at) >= (v_today - (p_days - 1))::timestamp AT TIME ZONE 'UTC'
       AND coalesce(n.valid_from, n.created_at) <  (v_today + 1)::timestamp AT TIME ZONE 'UTC'
     GROUP BY d
     ORDER BY d;
END
$$;

COMMENT ON FUNCTION vestige.memory_timeline(integer) IS
'Return, for each UTC day of the last p_days (1-3660, default 30, today included) on which memories the caller can see happened, the day and how many; a memory counts on the day of its event time (valid_from, when it happened or became true), or of created_at when it has none; days without memories, and event times after today, are left out. Errors: VS001 no caller identity, VS006 days outside 1-3660.';

GRANT EXECUTE ON FUNCTION vestige.memory_timeline(integer) TO vestige_app;

COMMIT;

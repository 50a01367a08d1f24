-- Deploy vestige:function_list_intentions
-- The caller's intentions, optionally of some statuses only.

BEGIN;
SET LOCAL ROLE vestige_owner;

-- why: definer so the owner filter below is the rule, written where the planner can use the index.
CREATE FUNCTION vestige.list_intentions(
    p_statuses text[]  DEFAULT NULL,
    p_limit    integer DEFAULT 50
)
RETURNS TABLE (
    id                 uuid,
    owner_user_id      uuid,
    content            text,
    trigger_type       text,
    trigger_data       jsonb,
    priority           integer,
    status             text,
    deadline           timestamptz,
    snoozed_until      timestamptz,
    tags               text[],
    related_memory_ids uuid[],
    created_at         timestamptz,
    updated_at         timestamptz
)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = vestige, pg_catalog, public, pg_temp
AS $$
DECLARE
    v_user uuid := vestige.current_user_id();
BEGIN
    IF p_limit IS NULL OR p_limit NOT BETWEEN 1 AND 1000 THEN
        RAISE EXCEPTION 'invalid limit %', coalesce(p_limit::text, 'NULL')
            USING ERRCODE = 'VS006', HINT = 'Use a limit from 1 to 1000.';
    END IF;
    IF EXISTS (SELECT FROM unnest(p_statuses) AS s(status)
                WHERE s.status IS NULL
                   OR s.status NOT IN ('active', 'triggered', 'fulfilled', 'cancelled', 'snoozed', 'expired')) THEN
        RAISE EXCEPTION 'invalid status in %', p_statuses
            USING ERRCODE = 'VS006', HINT = 'Use active, triggered, fulfilled, cancelled, snoozed or expired; NULL lists all.';
    END IF;

    RETURN QUERY
    SELECT i.id, i.owner_user_id, i.content, i.trigger_type, i.trigger_data, i.priority::integer,
           i.status, i.deadline, i.snoozed_until, i.tags, i.related_memory_ids,
           i.created_at, i.updated_at
      FROM vestige.intentions AS i
     WHERE i.owner_user_id = v_user
       AND (p_statuses IS NULL OR i.status = ANY (p_statuses))
     ORDER BY i.priority DESC, i.deadline NULLS LAST, i.created_at, i.id
     LIMIT p_limit;
END
$$;

COMMENT ON FUNCTION vestige.list_intentions(text[], integer) IS
'Return the caller''s intentions with one of p_statuses (NULL: all), at most p_limit (1-1000, default 50), ordered by priority (4 first), deadline (none last), created_at. Errors: VS001 no caller identity, VS006 bad status or limit.';

GRANT EXECUTE ON FUNCTION vestige.list_intentions(text[], integer) TO vestige_app;

COMMIT;

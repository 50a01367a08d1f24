-- Deploy vestige:function_check_intentions
-- The caller's intentions that fire now: by time, deadline, context or event. Read-only: the
-- caller decides what to do with them (vestige.update_intention).

BEGIN;
SET LOCAL ROLE vestige_owner;

-- why: definer so the owner filter below is the rule, written where the planner can use the index.
CREATE FUNCTION vestige.check_intentions(
    p_context text        DEFAULT NULL,
    p_at      timestamptz DEFAULT now()
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
    updated_at         timestamptz,
    reason             text
)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = vestige, pg_catalog, public, pg_temp
AS $$
DECLARE
    v_user    uuid        := vestige.current_user_id();
    v_at      timestamptz := coalesce(p_at, now());
    v_context text        := lower(p_context);
BEGIN
    RETURN QUERY
    SELECT i.id, i.owner_user_id, i.content, i.trigger_type, i.trigger_data, i.priority::integer,
           i.status, i.deadline, i.snoozed_until, i.tags, i.related_memory_ids,
           i.created_at, i.updated_at, f.reason
      FROM vestige.intentions AS i
     CROSS JOIN LATERAL (
           -- CASE keeps the casts and array functions away from data they cannot read.
           SELECT CASE
                  WHEN i.trigger_type = 'manual' THEN NULL
                  WHEN i.trigger_type = 'time'
                       AND CASE WHEN pg_input_is_valid(i.trigger_data ->> 'at', 'timestamptz')
                                THEN (i.trigger_data ->> 'at')::timestamptz <= v_at END
                       THEN 'time'
                  WHEN i.trigger_type = 'context'
                       AND v_context IS NOT NULL
                       AND EXISTS (
                           SELECT FROM jsonb_array_elements_text(
                                       CASE WHEN jsonb_typeof(i.trigger_data -> 'keywords') = 'array'
                                            THEN i.trigger_data -> 'keywords' ELSE '[]' END) AS k(word)
                            WHERE k.word ~ '\S' AND strpos(v_context, lower(k.word)) > 0)
                       THEN 'context'
                  WHEN i.trigger_type = 'event' AND i.trigger_data ->> 'event' = p_context
                       THEN 'event'
                  WHEN i.deadline <= v_at
                       THEN 'deadline'
                  END AS reason
           ) AS f
     WHERE i.owner_user_id = v_user
       AND (i.status = 'active' OR (i.status = 'snoozed' AND i.snoozed_until <= v_at))
       AND f.reason IS NOT NULL
     ORDER BY i.priority DESC, i.deadline NULLS LAST, i.created_at, i.id;
END
$$;

COMMENT ON FUNCTION vestige.check_intentions(text, timestamptz) IS
'Return the caller''s intentions that fire at p_at (default now) in the context p_context: active ones, and snoozed ones whose snoozed_until has passed, whose time trigger is due (trigger_data.at <= p_at), whose context trigger has a keyword in p_context (case-insensitive), whose event trigger names p_context, or whose deadline has passed; manual intentions never fire. reason says why: time, context, event or deadline. Read-only (mark them with update_intention). Ordered by priority (4 first), deadline (none last), created_at. Errors: VS001 no caller identity.';

GRANT EXECUTE ON FUNCTION vestige.check_intentions(text, timestamptz) TO vestige_app;

COMMIT;

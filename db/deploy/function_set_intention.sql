-- Deploy vestige:function_set_intention
-- Store an intention (prospective memory) owned by the caller: something to do or remember
-- when a time comes, a context comes up or an event happens. Also adds the private helper
-- that checks a trigger, shared with vestige.update_intention.

BEGIN;
SET LOCAL ROLE vestige_owner;

CREATE FUNCTION vestige.check_intention_trigger(
    p_trigger_type text,
    p_trigger_data jsonb,
    p_deadline     timestamptz
)
RETURNS jsonb
LANGUAGE plpgsql
STABLE PARALLEL SAFE
SET search_path = vestige, pg_catalog, pg_temp
AS $$
DECLARE
    v_data jsonb := coalesce(p_trigger_data, '{}');
BEGIN
    IF p_trigger_type IS NULL OR p_trigger_type NOT IN ('time', 'context', 'event', 'manual') THEN
        RAISE EXCEPTION 'invalid trigger type %', coalesce(quote_literal(p_trigger_type), 'NULL')
            USING ERRCODE = 'VS006', HINT = 'Use time, context, event or manual.';
    END IF;
    IF jsonb_typeof(v_data) <> 'object' THEN
        RAISE EXCEPTION 'trigger_data must be a JSON object, not %', jsonb_typeof(v_data)
            USING ERRCODE = 'VS006', HINT = 'Pass an object such as {"at": "2030-01-01T09:00:00Z"}.';
    END IF;
    CASE p_trigger_type
    WHEN 'time' THEN
        IF v_data ? 'at' THEN
            IF jsonb_typeof(v_data -> 'at') <> 'string'
               OR NOT pg_input_is_valid(v_data ->> 'at', 'timestamptz') THEN
                RAISE EXCEPTION 'trigger_data.at is not a timestamp: %', v_data -> 'at'
                    USING ERRCODE = 'VS006', HINT = 'Give an ISO 8601 timestamp such as "2030-01-01T09:00:00Z".';
            END IF;
            -- Stored in one form, so that it compares as a timestamp whatever was passed in.
            v_data := jsonb_set(v_data, '{at}', to_jsonb((v_data ->> 'at')::timestamptz));
        ELSIF p_deadline IS NULL THEN
            RAISE EXCEPTION 'a time trigger needs trigger_data.at or a deadline'
                USING ERRCODE = 'VS006', HINT = 'Pass p_trigger_data => ''{"at": "2030-01-01T09:00:00Z"}'' or p_deadline.';
        END IF;
    WHEN 'context' THEN
        -- CASE, not OR: the array functions must not see anything but an array.
        IF (CASE WHEN jsonb_typeof(v_data -> 'keywords') IS DISTINCT FROM 'array' THEN true
                 WHEN jsonb_array_length(v_data -> 'keywords') = 0 THEN true
                 ELSE EXISTS (SELECT FROM jsonb_array_elements(v_data -> 'keywords') AS k
                               WHERE jsonb_typeof(k) <> 'string' OR k #>> '{}' !~ '\S')
            END) THEN
            RAISE EXCEPTION 'a context trigger needs trigger_data.keywords, a non-empty array of words'
                USING ERRCODE = 'VS006', HINT = 'Pass p_trigger_data => ''{"keywords": ["deploy", "release"]}''.';
        END IF;
    WHEN 'event' THEN
        IF jsonb_typeof(v_data -> 'event') IS DISTINCT FROM 'string' OR v_data ->> 'event' !~ '\S' THEN
            RAISE EXCEPTION 'an event trigger needs trigger_data.event, the name of the event'
                USING ERRCODE = 'VS006', HINT = 'Pass p_trigger_data => ''{"event": "session_start"}''.';
        END IF;
    ELSE
        NULL;  -- manual: fired by hand only, any data is kept as given
    END CASE;
    RETURN v_data;
END
$$;

COMMENT ON FUNCTION vestige.check_intention_trigger(text, jsonb, timestamptz) IS
'Return the trigger data of an intention, checked and normalised (trigger_data.at as an ISO timestamp); raise VS006 for an unknown type, data that is not an object, a time trigger without a valid at and without a deadline, a context trigger without keywords (a non-empty array of strings) or an event trigger without an event name.';

-- why: definer so the owner is always the caller and related memories are checked for visibility.
CREATE FUNCTION vestige.set_intention(
    p_content            text,
    p_trigger_type       text        DEFAULT 'manual',
    p_trigger_data       jsonb       DEFAULT '{}',
    p_priority           integer     DEFAULT 2,
    p_deadline           timestamptz DEFAULT NULL,
    p_tags               text[]      DEFAULT '{}',
    p_related_memory_ids uuid[]      DEFAULT '{}'
)
RETURNS uuid
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = vestige, pg_catalog, public, pg_temp
AS $$
DECLARE
    v_user    uuid   := vestige.current_user_id();
    v_groups  uuid[] := vestige.current_user_groups();
    v_related uuid[] := coalesce(p_related_memory_ids, '{}');
    v_data    jsonb;
    v_missing uuid[];
    v_id      uuid;
BEGIN
    PERFORM vestige.check_content(p_content);
    v_data := vestige.check_intention_trigger(p_trigger_type, p_trigger_data, p_deadline);
    IF p_priority IS NULL OR p_priority NOT BETWEEN 1 AND 4 THEN
        RAISE EXCEPTION 'invalid priority %', coalesce(p_priority::text, 'NULL')
            USING ERRCODE = 'VS006', HINT = 'Use 1 (low) to 4 (critical).';
    END IF;
    IF array_position(v_related, NULL) IS NOT NULL THEN
        RAISE EXCEPTION 'related_memory_ids contains NULL'
            USING ERRCODE = 'VS006', HINT = 'Pass memory ids only.';
    END IF;
    SELECT array_agg(r.id) INTO v_missing
      FROM unnest(v_related) AS r(id)
     WHERE NOT EXISTS (
           SELECT FROM vestige.knowledge_nodes AS n
            WHERE n.id = r.id
              AND vestige.is_visible(n.visibility, n.owner_user_id, n.shared_with_groups, v_user, v_groups));
    IF v_missing IS NOT NULL THEN
        RAISE EXCEPTION 'related memory % not found', v_missing[1]
            USING ERRCODE = 'VS008', HINT = 'Check the ids; a memory that is not shared with you is reported as not found.';
    END IF;

    INSERT INTO vestige.intentions (
        owner_user_id, content, trigger_type, trigger_data, priority, deadline, tags, related_memory_ids)
    VALUES (
        v_user, p_content, p_trigger_type, v_data, p_priority, p_deadline, coalesce(p_tags, '{}'),
        ARRAY(SELECT r.id FROM unnest(v_related) WITH ORDINALITY AS r(id, n)
               GROUP BY r.id ORDER BY min(r.n)))
    RETURNING id INTO v_id;
    RETURN v_id;
END
$$;

COMMENT ON FUNCTION vestige.set_intention(text, text, jsonb, integer, timestamptz, text[], uuid[]) IS
'Store an active intention owned by the caller and return its id. Triggers: time (trigger_data.at, an ISO timestamp, or the deadline), context (trigger_data.keywords, an array of words looked for in the context given to check_intentions), event (trigger_data.event, equal to that context) or manual (never fires). Priority 1 (low) to 4 (critical). Related memories must be visible to the caller. Errors: VS001 no caller identity, VS006 bad content, trigger or priority, VS008 a related memory not found or not visible.';

GRANT EXECUTE ON FUNCTION vestige.set_intention(text, text, jsonb, integer, timestamptz, text[], uuid[]) TO vestige_app;

COMMIT;

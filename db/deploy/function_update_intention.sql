-- Deploy vestige:function_update_intention
-- Change an intention the caller owns: its status (fulfil, cancel, snooze, ...), content,
-- priority, deadline, trigger or tags. NULL keeps the current value.

BEGIN;
SET LOCAL ROLE vestige_owner;

-- why: definer so only the owner can change an intention, with the same checks as set_intention.
CREATE FUNCTION vestige.update_intention(
    p_id            uuid,
    p_status        text        DEFAULT NULL,
    p_content       text        DEFAULT NULL,
    p_priority      integer     DEFAULT NULL,
    p_deadline      timestamptz DEFAULT NULL,
    p_snoozed_until timestamptz DEFAULT NULL,
    p_trigger_type  text        DEFAULT NULL,
    p_trigger_data  jsonb       DEFAULT NULL,
    p_tags          text[]      DEFAULT NULL
)
RETURNS uuid
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = vestige, pg_catalog, public, pg_temp
AS $$
DECLARE
    v_user    uuid := vestige.current_user_id();
    v_old     vestige.intentions;
    v_status  text;
    v_snoozed timestamptz;
    v_type    text;
    v_data    jsonb;
BEGIN
    SELECT * INTO v_old FROM vestige.intentions AS i
     WHERE i.id = p_id AND i.owner_user_id = v_user
       FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'intention % not found', p_id
            USING ERRCODE = 'VS008', HINT = 'Check the id; intentions are private to their owner (vestige.list_intentions shows yours).';
    END IF;

    v_status := coalesce(p_status, v_old.status);
    IF v_status NOT IN ('active', 'triggered', 'fulfilled', 'cancelled', 'snoozed', 'expired') THEN
        RAISE EXCEPTION 'invalid status %', quote_literal(p_status)
            USING ERRCODE = 'VS006', HINT = 'Use active, triggered, fulfilled, cancelled, snoozed or expired.';
    END IF;
    IF p_content IS NOT NULL THEN
        PERFORM vestige.check_content(p_content);
    END IF;
    IF p_priority NOT BETWEEN 1 AND 4 THEN
        RAISE EXCEPTION 'invalid priority %', p_priority
            USING ERRCODE = 'VS006', HINT = 'Use 1 (low) to 4 (critical).';
    END IF;

    -- snoozed_until belongs to the snoozed status: set when snoozing, cleared otherwise.
    IF v_status = 'snoozed' THEN
        v_snoozed := coalesce(p_snoozed_until, v_old.snoozed_until);
        IF (p_status IS NOT NULL OR p_snoozed_until IS NOT NULL)
           AND (v_snoozed IS NULL OR v_snoozed <= now()) THEN
            RAISE EXCEPTION 'snoozing needs a snoozed_until in the future (got %)', coalesce(v_snoozed::text, 'NULL')
                USING ERRCODE = 'VS006', HINT = 'Pass p_snoozed_until => now() + interval ''1 hour'' (for example).';
        END IF;
    ELSIF p_snoozed_until IS NOT NULL THEN
        RAISE EXCEPTION 'snoozed_until applies only to status snoozed, not %', v_status
            USING ERRCODE = 'VS006', HINT = 'Pass p_status => ''snoozed'' with p_snoozed_until.';
    END IF;

    v_type := coalesce(p_trigger_type, v_old.trigger_type);
    v_data := vestige.check_intention_trigger(v_type, coalesce(p_trigger_data, v_old.trigger_data),
                                              coalesce(p_deadline, v_old.deadline));

    UPDATE vestige.intentions AS i
       SET status        = v_status,
           content       = coalesce(p_content, i.content),
           priority      = coalesce(p_priority, i.priority),
           deadline      = coalesce(p_deadline, i.deadline),
           snoozed_until = v_snoozed,
           trigger_type  = v_type,
           trigger_data  = v_data,
           tags          = coalesce(p_tags, i.tags)
     WHERE i.id = p_id;
    RETURN p_id;
END
$$;

COMMENT ON FUNCTION vestige.update_intention(uuid, text, text, integer, timestamptz, timestamptz, text, jsonb, text[]) IS
'Change an intention the caller owns and return its id; NULL arguments keep the current value. Status snoozed needs p_snoozed_until (or the current one) in the future; snoozed_until is cleared when the status becomes anything else. The trigger is checked as in set_intention. Errors: VS001 no caller identity, VS006 bad status, content, priority, trigger or snooze time, VS008 intention not found or not the caller''s.';

GRANT EXECUTE ON FUNCTION vestige.update_intention(uuid, text, text, integer, timestamptz, timestamptz, text, jsonb, text[]) TO vestige_app;

COMMIT;

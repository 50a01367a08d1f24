-- Deploy vestige:function_find_group
-- Resolve the name of one of the caller's groups to its id, so a person can say "platform"
-- where a group id is asked.

BEGIN;
SET LOCAL ROLE vestige_owner;

-- why: definer so a name resolves only among the groups the caller belongs to: the existence of
-- another group is not revealed.
CREATE FUNCTION vestige.find_group(p_name text)
RETURNS uuid
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = vestige, pg_catalog, public, pg_temp
AS $$
DECLARE
    v_id uuid;
BEGIN
    SELECT g.id INTO v_id
      FROM vestige.groups AS g
      JOIN vestige.group_memberships AS m ON m.group_id = g.id
     WHERE g.name = p_name AND m.user_id = vestige.current_user_id();
    IF v_id IS NULL THEN
        RAISE EXCEPTION 'you belong to no group named %', coalesce(quote_literal(p_name), 'NULL')
            USING ERRCODE = 'VS008',
                  HINT = 'List your groups (vestige group list), or give the group''s id.';
    END IF;
    RETURN v_id;
END
$$;

COMMENT ON FUNCTION vestige.find_group(text) IS
'Return the id of the group with this name among the groups the caller belongs to (names are unique). Errors: VS001 no caller identity, VS008 the caller belongs to no group of that name (another group''s existence is not revealed).';

GRANT EXECUTE ON FUNCTION vestige.find_group(text) TO vestige_app;

COMMIT;

-- Deploy vestige:function_add_group_member
-- Group admins add users to their group, or change the role of a member.

BEGIN;
SET LOCAL ROLE vestige_owner;

-- why: definer so only admins of a group can change its membership, whatever the table grants.
CREATE FUNCTION vestige.add_group_member(
    p_group_id uuid,
    p_user_id  uuid,
    p_role     text DEFAULT 'member'
)
RETURNS void
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = vestige, pg_catalog, public, pg_temp
AS $$
DECLARE
    v_user     uuid := vestige.current_user_id();
    v_old_role text;
BEGIN
    IF p_role IS NULL OR p_role NOT IN ('member', 'admin') THEN
        RAISE EXCEPTION 'invalid role %', coalesce(quote_literal(p_role), 'NULL')
            USING ERRCODE = 'VS006', HINT = 'Use member or admin.';
    END IF;
    -- The group row lock serialises membership changes of one group (the last-admin rule).
    PERFORM FROM vestige.groups AS g WHERE g.id = p_group_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'group % not found', p_group_id
            USING ERRCODE = 'VS008', HINT = 'Check the group id.';
    END IF;
    PERFORM FROM vestige.group_memberships AS m
     WHERE m.group_id = p_group_id AND m.user_id = v_user AND m.role = 'admin';
    IF NOT FOUND THEN
        RAISE EXCEPTION 'only an admin of group % may add members', p_group_id
            USING ERRCODE = 'VS010', HINT = 'Ask one of the group''s admins.';
    END IF;
    PERFORM FROM vestige.users AS u WHERE u.id = p_user_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unknown user %', p_user_id
            USING ERRCODE = 'VS011', HINT = 'Create the user first with vestige.create_user(p_handle => ...).';
    END IF;

    SELECT m.role INTO v_old_role FROM vestige.group_memberships AS m
     WHERE m.group_id = p_group_id AND m.user_id = p_user_id;
    IF v_old_role = 'admin' AND p_role <> 'admin'
       AND NOT EXISTS (SELECT FROM vestige.group_memberships AS m
                        WHERE m.group_id = p_group_id AND m.role = 'admin' AND m.user_id <> p_user_id) THEN
        RAISE EXCEPTION 'user % is the last admin of group %', p_user_id, p_group_id
            USING ERRCODE = 'VS013', HINT = 'Make another member admin first.';
    END IF;

    INSERT INTO vestige.group_memberships (group_id, user_id, role)
    VALUES (p_group_id, p_user_id, p_role)
    ON CONFLICT (group_id, user_id) DO UPDATE SET role = EXCLUDED.role;
END
$$;

COMMENT ON FUNCTION vestige.add_group_member(uuid, uuid, text) IS
'Add a user to a group with role member or admin; an existing member gets the new role. Only an admin of the group may do it. Errors: VS006 bad role, VS008 group not found, VS010 caller not an admin of the group, VS011 unknown user, VS013 demoting the last admin.';

GRANT EXECUTE ON FUNCTION vestige.add_group_member(uuid, uuid, text) TO vestige_app;

COMMIT;

-- Deploy vestige:function_remove_group_member
-- Group admins remove members; a member may leave. Memories stay shared with the group: a
-- removed member simply stops seeing them.

BEGIN;
SET LOCAL ROLE vestige_owner;

-- why: definer so only admins (or the member leaving) can change a group's membership.
CREATE FUNCTION vestige.remove_group_member(p_group_id uuid, p_user_id uuid)
RETURNS void
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = vestige, pg_catalog, public, pg_temp
AS $$
DECLARE
    v_user        uuid := vestige.current_user_id();
    v_caller_role text;
    v_target_role text;
BEGIN
    -- The group row lock serialises membership changes of one group (the last-admin rule).
    PERFORM FROM vestige.groups AS g WHERE g.id = p_group_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'group % not found', p_group_id
            USING ERRCODE = 'VS008', HINT = 'Check the group id.';
    END IF;
    SELECT m.role INTO v_caller_role FROM vestige.group_memberships AS m
     WHERE m.group_id = p_group_id AND m.user_id = v_user;
    IF v_caller_role IS DISTINCT FROM 'admin' AND p_user_id IS DISTINCT FROM v_user THEN
        RAISE EXCEPTION 'only an admin of group % may remove other members', p_group_id
            USING ERRCODE = 'VS010', HINT = 'Ask one of the group''s admins; you may only remove yourself.';
    END IF;
    SELECT m.role INTO v_target_role FROM vestige.group_memberships AS m
     WHERE m.group_id = p_group_id AND m.user_id = p_user_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'user % is not a member of group %', p_user_id, p_group_id
            USING ERRCODE = 'VS008', HINT = 'Check the user and group ids.';
    END IF;
    IF v_target_role = 'admin'
       AND NOT EXISTS (SELECT FROM vestige.group_memberships AS m
                        WHERE m.group_id = p_group_id AND m.role = 'admin' AND m.user_id <> p_user_id) THEN
        RAISE EXCEPTION 'user % is the last admin of group %', p_user_id, p_group_id
            USING ERRCODE = 'VS013', HINT = 'Make another member admin first (vestige.add_group_member with p_role => ''admin'').';
    END IF;

    DELETE FROM vestige.group_memberships AS m
     WHERE m.group_id = p_group_id AND m.user_id = p_user_id;
END
$$;

COMMENT ON FUNCTION vestige.remove_group_member(uuid, uuid) IS
'Remove a user from a group: an admin removes anyone, a member may remove themself (leave). Memories stay shared with the group; the removed user stops seeing them. Errors: VS008 group not found or user not a member, VS010 caller neither an admin nor the user leaving, VS013 removing the last admin.';

GRANT EXECUTE ON FUNCTION vestige.remove_group_member(uuid, uuid) TO vestige_app;

COMMIT;

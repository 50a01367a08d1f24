-- Deploy vestige:function_groups_of_user
-- The groups a user belongs to: the one rule behind current_user_groups, for the functions that
-- have already resolved the caller (resolving the identity again cost ~50 us a call).

BEGIN;
SET LOCAL ROLE vestige_owner;

-- why: not granted to vestige_app: it names any user's groups; only the owner's functions call it,
-- each with the caller's id from vestige.current_user_id().
CREATE FUNCTION vestige.groups_of_user(p_user_id uuid)
RETURNS uuid[]
LANGUAGE sql
STABLE PARALLEL SAFE
SET search_path = vestige, pg_catalog, pg_temp
AS $$
    SELECT coalesce(array_agg(m.group_id ORDER BY m.group_id), '{}')
      FROM vestige.group_memberships AS m
     WHERE m.user_id = p_user_id;
$$;

COMMENT ON FUNCTION vestige.groups_of_user(uuid) IS
'Return the ids of the groups the user belongs to, sorted (empty array when none); vestige.current_user_groups() is this for the caller. Private helper.';

COMMIT;

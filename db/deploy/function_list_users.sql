-- Deploy vestige:function_list_users
-- The users, by handle: who memories can belong to and who can be added to a group.

BEGIN;
SET LOCAL ROLE vestige_owner;

-- why: definer so vestige_app lists handles and ids without reading vestige.users.
CREATE FUNCTION vestige.list_users()
RETURNS TABLE (
    id           uuid,
    handle       text,
    display_name text,
    created_at   timestamptz
)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = vestige, pg_catalog, public, pg_temp
AS $$
    SELECT u.id, u.handle, u.display_name, u.created_at
      FROM vestige.users AS u
     ORDER BY u.handle;
$$;

COMMENT ON FUNCTION vestige.list_users() IS
'Return every user (id, handle, display name, created_at), by handle. Needs no caller identity: any application login may already create users and resolve handles (find_user), and a handle is what a group admin adds.';

GRANT EXECUTE ON FUNCTION vestige.list_users() TO vestige_app;

COMMIT;

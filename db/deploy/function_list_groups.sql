-- Deploy vestige:function_list_groups
-- The groups the caller belongs to, with the caller's role and the member count.

BEGIN;
SET LOCAL ROLE vestige_owner;

-- why: definer so the caller lists only the groups they belong to, without reading the
-- memberships of others.
CREATE FUNCTION vestige.list_groups()
RETURNS TABLE (
    id         uuid,
    name       text,
    role       text,
    members    integer,
    created_at timestamptz
)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = vestige, pg_catalog, public, pg_temp
AS $$
    SELECT g.id, g.name, m.role,
           (SELECT count(*) FROM vestige.group_memberships AS o WHERE o.group_id = g.id)::integer,
           g.created_at
      FROM vestige.group_memberships AS m
      JOIN vestige.groups AS g ON g.id = m.group_id
     WHERE m.user_id = vestige.current_user_id()
     ORDER BY g.name;
$$;

COMMENT ON FUNCTION vestige.list_groups() IS
'Return the groups the caller belongs to (id, name, the caller''s role member or admin, the number of members, created_at), by name. Errors: VS001 no caller identity, VS011 unknown caller.';

GRANT EXECUTE ON FUNCTION vestige.list_groups() TO vestige_app;

COMMIT;

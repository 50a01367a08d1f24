-- Deploy vestige:function_current_user_groups
-- The groups the caller belongs to, for the visibility predicate.

BEGIN;
SET LOCAL ROLE vestige_owner;

-- why: definer so row-level security policies, which run as vestige_app, can read the caller's own memberships.
CREATE FUNCTION vestige.current_user_groups()
RETURNS uuid[]
LANGUAGE sql
STABLE PARALLEL SAFE
SECURITY DEFINER
SET search_path = vestige, pg_catalog, pg_temp
AS $$
    SELECT coalesce(array_agg(m.group_id ORDER BY m.group_id), '{}')
      FROM vestige.group_memberships AS m
     WHERE m.user_id = vestige.current_user_id();
$$;

COMMENT ON FUNCTION vestige.current_user_groups() IS
'Return the ids of the groups the caller belongs to (empty array when none). Raises VS001 without a caller identity.';

GRANT EXECUTE ON FUNCTION vestige.current_user_groups() TO vestige_app;

COMMIT;

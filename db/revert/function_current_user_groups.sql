-- Revert vestige:function_current_user_groups (to @v0.2.0: the memberships read here)

BEGIN;
SET LOCAL ROLE vestige_owner;

CREATE OR REPLACE FUNCTION vestige.current_user_groups()
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

COMMIT;

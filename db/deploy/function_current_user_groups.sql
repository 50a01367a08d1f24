-- Deploy vestige:function_current_user_groups (reworked: the rule is groups_of_user's)
-- The groups the caller belongs to, for the visibility predicate.

BEGIN;
SET LOCAL ROLE vestige_owner;

-- why: definer so row-level security policies, which run as vestige_app, can read the caller's own
-- memberships (through groups_of_user, which vestige_app may not call).
CREATE OR REPLACE FUNCTION vestige.current_user_groups()
RETURNS uuid[]
LANGUAGE sql
STABLE PARALLEL SAFE
SECURITY DEFINER
SET search_path = vestige, pg_catalog, pg_temp
AS $$
    SELECT vestige.groups_of_user(vestige.current_user_id());
$$;

COMMIT;

-- Deploy vestige:function_is_visible
-- The visibility predicate, written once. A row is visible to user U when it is public, owned
-- by U, or shared with a group U belongs to. Used inside every API query (inlined, so the
-- planner can use the full-text, owner and group indexes) and by the row-level security
-- policies.

BEGIN;
SET LOCAL ROLE vestige_owner;

-- search_path: none. The SQL-standard body is bound when the function is created, and a SET
-- clause would stop the planner from inlining it into the calling query.
CREATE FUNCTION vestige.is_visible(
    p_visibility         text,
    p_owner_user_id      uuid,
    p_shared_with_groups uuid[],
    p_user_id            uuid,
    p_user_groups        uuid[]
)
RETURNS boolean
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
RETURN p_visibility = 'public'
    OR p_owner_user_id = p_user_id
    OR (p_visibility = 'group' AND p_shared_with_groups && p_user_groups);

COMMENT ON FUNCTION vestige.is_visible(text, uuid, uuid[], uuid, uuid[]) IS
'Return true when a memory with this visibility, owner and groups is visible to the user with these groups: public, owned, or shared with one of the user''s groups.';

GRANT EXECUTE ON FUNCTION vestige.is_visible(text, uuid, uuid[], uuid, uuid[]) TO vestige_app;

COMMIT;

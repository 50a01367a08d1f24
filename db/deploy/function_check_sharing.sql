-- Deploy vestige:function_check_sharing
-- The sharing rule: visibility is private, group or public; a memory can be shared only with
-- groups its owner belongs to; group visibility needs at least one group, and only group
-- visibility takes groups.

BEGIN;
SET LOCAL ROLE vestige_owner;

CREATE FUNCTION vestige.check_sharing(p_visibility text, p_groups uuid[])
RETURNS uuid[]
LANGUAGE plpgsql
STABLE PARALLEL SAFE
SET search_path = vestige, pg_catalog, pg_temp
AS $$
DECLARE
    v_groups  uuid[] := coalesce(p_groups, '{}');
    v_missing uuid[];
BEGIN
    IF p_visibility IS NULL OR p_visibility NOT IN ('private', 'group', 'public') THEN
        RAISE EXCEPTION 'invalid visibility %', coalesce(quote_literal(p_visibility), 'NULL')
            USING ERRCODE = 'VS006', HINT = 'Use private, group or public.';
    END IF;
    IF p_visibility = 'group' AND cardinality(v_groups) = 0 THEN
        RAISE EXCEPTION 'group visibility needs at least one group'
            USING ERRCODE = 'VS006', HINT = 'Pass the group ids in p_shared_with_groups (or p_groups).';
    END IF;
    IF p_visibility <> 'group' AND cardinality(v_groups) > 0 THEN
        RAISE EXCEPTION 'groups are only used with group visibility, not %', p_visibility
            USING ERRCODE = 'VS006', HINT = 'Pass visibility group to share with groups, or no groups.';
    END IF;
    v_missing := ARRAY(SELECT g FROM unnest(v_groups) AS g WHERE NOT g = ANY (vestige.current_user_groups()));
    IF cardinality(v_missing) > 0 THEN
        RAISE EXCEPTION 'cannot share with group(s) %: the owner is not a member', v_missing
            USING ERRCODE = 'VS010', HINT = 'Join the group first (vestige.add_group_member by one of its admins), or share with your own groups.';
    END IF;
    RETURN ARRAY(SELECT DISTINCT g FROM unnest(v_groups) AS g ORDER BY g);
END
$$;

COMMENT ON FUNCTION vestige.check_sharing(text, uuid[]) IS
'Return the sorted distinct groups when the visibility is valid and the caller belongs to every group; else raise VS006 (bad visibility, group visibility without groups, groups without group visibility) or VS010 (not a member).';

COMMIT;

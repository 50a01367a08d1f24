-- Deploy vestige:function_share_memory
-- Set who can see a memory the caller owns: private, group (with groups the owner is in) or public.

BEGIN;
SET LOCAL ROLE vestige_owner;

-- why: definer so only the owner can share, and only with groups the owner belongs to.
CREATE FUNCTION vestige.share_memory(p_id uuid, p_visibility text, p_groups uuid[] DEFAULT '{}')
RETURNS void
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = vestige, pg_catalog, public, pg_temp
AS $$
DECLARE
    v_groups uuid[];
BEGIN
    PERFORM vestige.check_owner(p_id);
    v_groups := vestige.check_sharing(p_visibility, p_groups);
    UPDATE vestige.knowledge_nodes AS n
       SET visibility = p_visibility, shared_with_groups = v_groups
     WHERE n.id = p_id;
END
$$;

COMMENT ON FUNCTION vestige.share_memory(uuid, text, uuid[]) IS
'Set the visibility of a memory the caller owns: private, public, or group with the groups (all of which the owner must belong to); replaces the previous groups. Errors: VS008, VS009, VS006 bad visibility, VS010 not a member of a group.';

GRANT EXECUTE ON FUNCTION vestige.share_memory(uuid, text, uuid[]) TO vestige_app;

COMMIT;

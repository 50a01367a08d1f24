-- Deploy vestige:function_check_owner
-- The write rule for memories: the memory must be visible to the caller (else "not found", so
-- nothing leaks) and owned by the caller. Locks the row for the rest of the transaction.

BEGIN;
SET LOCAL ROLE vestige_owner;

CREATE FUNCTION vestige.check_owner(p_id uuid)
RETURNS vestige.knowledge_nodes
LANGUAGE plpgsql
VOLATILE
SET search_path = vestige, pg_catalog, public, pg_temp
AS $$
DECLARE
    v_user   uuid   := vestige.current_user_id();
    v_groups uuid[] := vestige.current_user_groups();
    v_node   vestige.knowledge_nodes;
BEGIN
    SELECT * INTO v_node FROM vestige.knowledge_nodes AS n
     WHERE n.id = p_id
       AND vestige.is_visible(n.visibility, n.owner_user_id, n.shared_with_groups, v_user, v_groups)
       FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'memory % not found', p_id
            USING ERRCODE = 'VS008', HINT = 'Check the id; a memory that is not shared with you is reported as not found.';
    END IF;
    IF v_node.owner_user_id <> v_user THEN
        RAISE EXCEPTION 'memory % belongs to another user; only its owner may change it', p_id
            USING ERRCODE = 'VS009', HINT = 'Store your own memory instead, or ask its owner.';
    END IF;
    RETURN v_node;
END
$$;

COMMENT ON FUNCTION vestige.check_owner(uuid) IS
'Lock and return the memory when the caller owns it; raise VS008 when it is missing or not visible, VS009 when another user owns it.';

COMMIT;

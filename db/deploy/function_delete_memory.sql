-- Deploy vestige:function_delete_memory
-- Delete a memory the caller owns, with its scheduling, review events and edges.

BEGIN;
SET LOCAL ROLE vestige_owner;

-- why: definer so only the owner can delete, whatever the table grants.
CREATE FUNCTION vestige.delete_memory(p_id uuid)
RETURNS void
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = vestige, pg_catalog, public, pg_temp
AS $$
BEGIN
    PERFORM vestige.check_owner(p_id);
    DELETE FROM vestige.knowledge_nodes AS n WHERE n.id = p_id;
END
$$;

COMMENT ON FUNCTION vestige.delete_memory(uuid) IS
'Delete a memory the caller owns, with its scheduling, review events and edges; memories it superseded forget the link. Errors: VS008 not found or not visible, VS009 not the owner.';

GRANT EXECUTE ON FUNCTION vestige.delete_memory(uuid) TO vestige_app;

COMMIT;

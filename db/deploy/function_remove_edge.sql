-- Deploy vestige:function_remove_edge
-- Remove the edges from a memory the caller owns to another memory: one type, or every type.

BEGIN;
SET LOCAL ROLE vestige_owner;

-- why: definer so only the owner of the source memory can remove its edges.
CREATE FUNCTION vestige.remove_edge(
    p_source_id uuid,
    p_target_id uuid,
    p_edge_type text DEFAULT NULL
)
RETURNS integer
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = vestige, pg_catalog, public, pg_temp
AS $$
DECLARE
    v_removed integer;
BEGIN
    PERFORM vestige.current_user_id();
    IF p_edge_type IS NOT NULL AND p_edge_type !~ '^[a-z][a-z0-9_]{0,63}$' THEN
        RAISE EXCEPTION 'invalid edge type %', quote_literal(p_edge_type)
            USING ERRCODE = 'VS006', HINT = 'Use a lowercase name such as related, or NULL for every type.';
    END IF;
    PERFORM vestige.check_owner(p_source_id);

    DELETE FROM vestige.edges AS e
     WHERE e.source_id = p_source_id
       AND e.target_id = p_target_id
       AND (p_edge_type IS NULL OR e.edge_type = p_edge_type);
    GET DIAGNOSTICS v_removed = ROW_COUNT;
    IF v_removed = 0 THEN
        RAISE EXCEPTION 'no % edge from memory % to memory %', coalesce(p_edge_type, 'such'), p_source_id, p_target_id
            USING ERRCODE = 'VS008', HINT = 'List the edges of the memory with vestige.edges_of(p_memory_id => ...).';
    END IF;
    RETURN v_removed;
END
$$;

COMMENT ON FUNCTION vestige.remove_edge(uuid, uuid, text) IS
'Remove the edges of one type (NULL: every type) from a memory the caller owns to the target memory and return how many were removed. The owner may remove its outgoing edges even when the target is no longer visible to it. Errors: VS008 source not found or not visible, or nothing to remove; VS009 the caller does not own the source; VS006 bad edge type.';

GRANT EXECUTE ON FUNCTION vestige.remove_edge(uuid, uuid, text) TO vestige_app;

COMMIT;

-- Deploy vestige:function_edges_of
-- The edges of a visible memory, outgoing, incoming or both, whose other end is visible too.

BEGIN;
SET LOCAL ROLE vestige_owner;

-- why: definer so the visibility predicate is applied to both ends in the query itself.
CREATE FUNCTION vestige.edges_of(
    p_memory_id uuid,
    p_edge_type text DEFAULT NULL,
    p_direction text DEFAULT 'both'
)
RETURNS TABLE (
    source_id        uuid,
    target_id        uuid,
    edge_type        text,
    weight           double precision,
    created_at       timestamptz,
    last_activated   timestamptz,
    activation_count integer,
    direction        text,
    other_id         uuid
)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = vestige, pg_catalog, public, pg_temp
AS $$
DECLARE
    v_user   uuid   := vestige.current_user_id();
    v_groups uuid[] := vestige.current_user_groups();
BEGIN
    IF p_direction IS NULL OR p_direction NOT IN ('out', 'in', 'both') THEN
        RAISE EXCEPTION 'invalid direction %', coalesce(quote_literal(p_direction), 'NULL')
            USING ERRCODE = 'VS006', HINT = 'Use out, in or both.';
    END IF;
    IF p_edge_type IS NOT NULL AND p_edge_type !~ '^[a-z][a-z0-9_]{0,63}$' THEN
        RAISE EXCEPTION 'invalid edge type %', quote_literal(p_edge_type)
            USING ERRCODE = 'VS006', HINT = 'Use a lowercase name such as related, or NULL for every type.';
    END IF;
    PERFORM FROM vestige.knowledge_nodes AS n
     WHERE n.id = p_memory_id
       AND vestige.is_visible(n.visibility, n.owner_user_id, n.shared_with_groups, v_user, v_groups);
    IF NOT FOUND THEN
        RAISE EXCEPTION 'memory % not found', p_memory_id
            USING ERRCODE = 'VS008', HINT = 'Check the id; a memory that is not shared with you is reported as not found.';
    END IF;

    RETURN QUERY
    SELECT e.source_id, e.target_id, e.edge_type, e.weight, e.created_at, e.last_activated,
           e.activation_count, 'out'::text, e.target_id
      FROM vestige.edges AS e
      JOIN vestige.knowledge_nodes AS n ON n.id = e.target_id
     WHERE p_direction IN ('out', 'both')
       AND e.source_id = p_memory_id
       AND (p_edge_type IS NULL OR e.edge_type = p_edge_type)
       AND vestige.is_visible(n.visibility, n.owner_user_id, n.shared_with_groups, v_user, v_groups)
    UNION ALL
    SELECT e.source_id, e.target_id, e.edge_type, e.weight, e.created_at, e.last_activated,
           e.activation_count, 'in'::text, e.source_id
      FROM vestige.edges AS e
      JOIN vestige.knowledge_nodes AS n ON n.id = e.source_id
     WHERE p_direction IN ('in', 'both')
       AND e.target_id = p_memory_id
       AND (p_edge_type IS NULL OR e.edge_type = p_edge_type)
       AND vestige.is_visible(n.visibility, n.owner_user_id, n.shared_with_groups, v_user, v_groups)
     ORDER BY 4 DESC, 9, 8 DESC, 3;
END
$$;

COMMENT ON FUNCTION vestige.edges_of(uuid, text, text) IS
'Return the edges of a memory visible to the caller, of one type (NULL: every type) and direction (out, in or both), whose other end is visible too; direction says out or in and other_id names the other end. Ordered by weight desc, then other_id. Errors: VS008 memory not found or not visible, VS006 bad direction or edge type.';

GRANT EXECUTE ON FUNCTION vestige.edges_of(uuid, text, text) TO vestige_app;

COMMIT;

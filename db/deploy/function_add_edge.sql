-- Deploy vestige:function_add_edge
-- Link a memory the caller owns to another memory the caller can see, or change the weight of
-- an existing link of the same type (upsert).

BEGIN;
SET LOCAL ROLE vestige_owner;

-- why: definer so only the owner of the source memory can link it, and only to a visible target.
CREATE FUNCTION vestige.add_edge(
    p_source_id uuid,
    p_target_id uuid,
    p_edge_type text             DEFAULT 'related',
    p_weight    double precision DEFAULT 1.0
)
RETURNS TABLE (
    source_id        uuid,
    target_id        uuid,
    edge_type        text,
    weight           double precision,
    created_at       timestamptz,
    last_activated   timestamptz,
    activation_count integer
)
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = vestige, pg_catalog, public, pg_temp
AS $$
DECLARE
    v_user   uuid   := vestige.current_user_id();
    v_groups uuid[] := vestige.current_user_groups();
BEGIN
    IF p_source_id IS NULL OR p_target_id IS NULL THEN
        RAISE EXCEPTION 'an edge needs a source and a target memory id'
            USING ERRCODE = 'VS006', HINT = 'Pass both p_source_id and p_target_id.';
    END IF;
    IF p_source_id = p_target_id THEN
        RAISE EXCEPTION 'memory % cannot be linked to itself', p_source_id
            USING ERRCODE = 'VS006', HINT = 'Pass two different memory ids.';
    END IF;
    IF p_edge_type IS NULL OR p_edge_type !~ '^[a-z][a-z0-9_]{0,63}$' THEN
        RAISE EXCEPTION 'invalid edge type %', coalesce(quote_literal(p_edge_type), 'NULL')
            USING ERRCODE = 'VS006', HINT = 'Use a lowercase name of up to 64 characters (letters, digits, _), starting with a letter, e.g. related.';
    END IF;
    IF p_weight IS NULL OR NOT (p_weight > 0 AND p_weight <= 1) THEN
        RAISE EXCEPTION 'invalid edge weight %: must be in (0, 1]', coalesce(p_weight::text, 'NULL')
            USING ERRCODE = 'VS006', HINT = 'Pass a weight greater than 0 and at most 1.';
    END IF;

    PERFORM vestige.check_owner(p_source_id);
    PERFORM FROM vestige.knowledge_nodes AS n
     WHERE n.id = p_target_id
       AND vestige.is_visible(n.visibility, n.owner_user_id, n.shared_with_groups, v_user, v_groups)
       FOR KEY SHARE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'edge to a missing or invisible node: memory % not found', p_target_id
            USING ERRCODE = 'VS008', HINT = 'Check the target id; a memory that is not shared with you is reported as not found.';
    END IF;

    RETURN QUERY
    INSERT INTO vestige.edges AS e (source_id, target_id, edge_type, weight)
    VALUES (p_source_id, p_target_id, p_edge_type, p_weight)
    ON CONFLICT ON CONSTRAINT edges_pkey DO UPDATE SET weight = EXCLUDED.weight
    RETURNING e.source_id, e.target_id, e.edge_type, e.weight, e.created_at, e.last_activated, e.activation_count;
END
$$;

COMMENT ON FUNCTION vestige.add_edge(uuid, uuid, text, double precision) IS
'Link a memory the caller owns (source) to a memory the caller can see (target) with a typed edge (default related) and a weight in (0, 1], and return the edge; the same source, target and type again only sets the new weight. Errors: VS008 source or target missing or not visible, VS009 the caller does not own the source, VS006 self edge, bad type or weight.';

GRANT EXECUTE ON FUNCTION vestige.add_edge(uuid, uuid, text, double precision) TO vestige_app;

COMMIT;

-- Deploy vestige:function_neighbors
-- Spreading activation: breadth-first from a visible memory over edges in both directions.
-- A node's activation is the product of the edge weights along the path times 0.7 per hop;
-- each node keeps its best path. At most 3 hops and 256 nodes; only visible memories are
-- reached or walked through. One recursive statement.

BEGIN;
SET LOCAL ROLE vestige_owner;

-- why: definer so the visibility predicate is applied at every hop, in the walk itself.
CREATE FUNCTION vestige.neighbors(
    p_memory_id      uuid,
    p_depth          integer          DEFAULT 2,
    p_edge_types     text[]           DEFAULT NULL,
    p_min_activation double precision DEFAULT 0.1,
    p_limit          integer          DEFAULT 256
)
RETURNS TABLE (
    id         uuid,
    content    text,
    node_type  text,
    hops       integer,
    activation double precision,
    path       uuid[]
)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = vestige, pg_catalog, public, pg_temp
AS $$
DECLARE
    v_decay     CONSTANT double precision := 0.7;  -- activation kept per hop
    v_max_depth CONSTANT integer          := 3;    -- hops
    v_max_limit CONSTANT integer          := 256;  -- nodes returned
    v_user      uuid   := vestige.current_user_id();
    v_groups    uuid[] := vestige.current_user_groups();
BEGIN
    IF p_depth IS NULL OR p_depth NOT BETWEEN 1 AND v_max_depth THEN
        RAISE EXCEPTION 'invalid depth %: must be between 1 and %', coalesce(p_depth::text, 'NULL'), v_max_depth
            USING ERRCODE = 'VS006', HINT = 'Pass p_depth => 1, 2 or 3.';
    END IF;
    IF p_limit IS NULL OR p_limit NOT BETWEEN 1 AND v_max_limit THEN
        RAISE EXCEPTION 'invalid limit %: must be between 1 and %', coalesce(p_limit::text, 'NULL'), v_max_limit
            USING ERRCODE = 'VS006', HINT = 'Pass p_limit between 1 and 256.';
    END IF;
    IF p_min_activation IS NULL OR NOT (p_min_activation >= 0 AND p_min_activation <= 1) THEN
        RAISE EXCEPTION 'invalid minimum activation %: must be between 0 and 1', coalesce(p_min_activation::text, 'NULL')
            USING ERRCODE = 'VS006', HINT = 'Pass p_min_activation between 0 and 1 (default 0.1).';
    END IF;
    IF p_edge_types IS NOT NULL AND (cardinality(p_edge_types) = 0 OR EXISTS (
           SELECT FROM unnest(p_edge_types) AS t (edge_type) WHERE t.edge_type IS NULL OR t.edge_type !~ '^[a-z][a-z0-9_]{0,63}$')) THEN
        RAISE EXCEPTION 'invalid edge types %', p_edge_types
            USING ERRCODE = 'VS006', HINT = 'Pass lowercase edge type names such as {related}, or NULL for every type.';
    END IF;
    PERFORM FROM vestige.knowledge_nodes AS n
     WHERE n.id = p_memory_id
       AND vestige.is_visible(n.visibility, n.owner_user_id, n.shared_with_groups, v_user, v_groups);
    IF NOT FOUND THEN
        RAISE EXCEPTION 'memory % not found', p_memory_id
            USING ERRCODE = 'VS008', HINT = 'Check the id; a memory that is not shared with you is reported as not found.';
    END IF;

    RETURN QUERY
    WITH RECURSIVE walk (node_id, hops, activation, path) AS (
        SELECT p_memory_id, 0, 1.0::double precision, ARRAY[p_memory_id]
        UNION ALL
        SELECT l.other_id, w.hops + 1, w.activation * l.weight * v_decay, w.path || l.other_id
          FROM walk AS w
         CROSS JOIN LATERAL (
                SELECT e.target_id AS other_id, e.weight
                  FROM vestige.edges AS e
                 WHERE e.source_id = w.node_id
                   AND (p_edge_types IS NULL OR e.edge_type = ANY (p_edge_types))
                UNION ALL
                SELECT e.source_id, e.weight
                  FROM vestige.edges AS e
                 WHERE e.target_id = w.node_id
                   AND (p_edge_types IS NULL OR e.edge_type = ANY (p_edge_types))
               ) AS l
          JOIN vestige.knowledge_nodes AS n ON n.id = l.other_id
         WHERE w.hops < p_depth
           AND l.other_id <> ALL (w.path)
           AND w.activation * l.weight * v_decay >= p_min_activation
           AND vestige.is_visible(n.visibility, n.owner_user_id, n.shared_with_groups, v_user, v_groups)
    ),
    best AS (
        SELECT DISTINCT ON (w.node_id) w.node_id, w.hops, w.activation, w.path
          FROM walk AS w
         WHERE w.hops > 0
         ORDER BY w.node_id, w.activation DESC, w.hops, w.path
    )
    SELECT b.node_id, n.content, n.node_type, b.hops, b.activation, b.path
      FROM best AS b
      JOIN vestige.knowledge_nodes AS n ON n.id = b.node_id
     ORDER BY b.activation DESC, b.node_id
     LIMIT p_limit;
END
$$;

COMMENT ON FUNCTION vestige.neighbors(uuid, integer, text[], double precision, integer) IS
'Spreading activation from a memory visible to the caller: walk edges (of p_edge_types, NULL: every type) in both directions, breadth-first, up to p_depth hops (1-3, default 2); a node''s activation is the product of the edge weights along the path times 0.7 per hop, and each node keeps its best activation with that path''s hop count and path (start id first, node id last). Paths never revisit a node, so cycles end; nodes below p_min_activation (default 0.1) are neither returned nor walked through; only visible memories are reached or walked through; the start is not returned. Returns at most p_limit (1-256, default 256) nodes ordered by activation desc, then id. Errors: VS008 start not found or not visible, VS006 depth, limit, minimum activation or edge types out of range.';

GRANT EXECUTE ON FUNCTION vestige.neighbors(uuid, integer, text[], double precision, integer) TO vestige_app;

COMMIT;

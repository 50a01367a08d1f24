-- Deploy vestige:function_memory_lineage
-- The supersession chain of a visible memory, both ways: what it replaced and what replaced it.

BEGIN;
SET LOCAL ROLE vestige_owner;

-- why: definer so the visibility predicate is applied to every memory of the chain in the query.
CREATE FUNCTION vestige.memory_lineage(p_memory_id uuid)
RETURNS TABLE (
    step          integer,
    id            uuid,
    content       text,
    node_type     text,
    created_at    timestamptz,
    superseded_by uuid,
    superseded_at timestamptz,
    decision      text
)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = vestige, pg_catalog, pg_temp
AS $$
DECLARE
    c_max_steps CONSTANT integer := 100;  -- a chain longer than this is cut (and a cycle ends)
    v_user   uuid   := vestige.current_user_id();
    v_groups uuid[] := vestige.current_user_groups();
BEGIN
    PERFORM FROM vestige.knowledge_nodes AS n
     WHERE n.id = p_memory_id
       AND vestige.is_visible(n.visibility, n.owner_user_id, n.shared_with_groups, v_user, v_groups);
    IF NOT FOUND THEN
        RAISE EXCEPTION 'memory % not found', p_memory_id
            USING ERRCODE = 'VS008', HINT = 'Check the id; a memory that is not shared with you is reported as not found.';
    END IF;

    RETURN QUERY
    WITH RECURSIVE
    newer (step, id, path) AS (
        SELECT 0, p_memory_id, ARRAY[p_memory_id]
        UNION ALL
        SELECT w.step + 1, n.superseded_by, w.path || n.superseded_by
          FROM newer AS w
          JOIN vestige.knowledge_nodes AS n ON n.id = w.id
          JOIN vestige.knowledge_nodes AS s ON s.id = n.superseded_by
         WHERE w.step < c_max_steps AND NOT s.id = ANY (w.path)
           AND vestige.is_visible(s.visibility, s.owner_user_id, s.shared_with_groups, v_user, v_groups)
    ),
    older (step, id, path) AS (
        SELECT 0, p_memory_id, ARRAY[p_memory_id]
        UNION ALL
        SELECT o.step - 1, n.id, o.path || n.id
          FROM older AS o
          JOIN vestige.knowledge_nodes AS n ON n.superseded_by = o.id
         WHERE o.step > -c_max_steps AND NOT n.id = ANY (o.path)
           AND vestige.is_visible(n.visibility, n.owner_user_id, n.shared_with_groups, v_user, v_groups)
    ),
    chain AS (
        SELECT w.step, w.id FROM newer AS w
        UNION
        SELECT o.step, o.id FROM older AS o
    )
    SELECT c.step, n.id, n.content, n.node_type, n.created_at, n.superseded_by,
           coalesce(e.created_at, s.created_at),
           CASE WHEN n.superseded_by IS NULL THEN NULL WHEN e.source_id IS NOT NULL THEN 'supersede' ELSE 'manual' END
      FROM chain AS c
      JOIN vestige.knowledge_nodes AS n ON n.id = c.id
      LEFT JOIN vestige.knowledge_nodes AS s ON s.id = n.superseded_by
      LEFT JOIN vestige.edges AS e
             ON e.source_id = n.superseded_by AND e.target_id = n.id AND e.edge_type = 'supersedes'
     ORDER BY c.step, n.created_at, n.id;
END
$$;

COMMENT ON FUNCTION vestige.memory_lineage(uuid) IS
'Return the supersession chain of a memory visible to the caller, both ways, one row per memory: step 0 is the memory, -1 what it replaced (the memories whose superseded_by is it), -2 what those replaced, and +1, +2 what replaced it in turn; id, content, type, created_at, superseded_by, superseded_at (when the supersedes edge was written, else when the newer memory was created) and decision: supersede when the prediction-error gate of ingest replaced it (an edge of type supersedes), manual when update_memory set superseded_by, NULL while it is current. Only visible memories are returned or walked through; at most 100 steps each way. Errors: VS001 no caller identity, VS008 memory not found or not visible.';

GRANT EXECUTE ON FUNCTION vestige.memory_lineage(uuid) TO vestige_app;

COMMIT;

-- Deploy vestige:function_stats
-- Counts and retention over the memories visible to the caller, for memory_status: how many
-- are the caller's own, shared with the caller through a group, or public; by node type; the
-- read-time retention (average and a 5-bucket histogram); reviews due; edges; intentions.

BEGIN;
SET LOCAL ROLE vestige_owner;

-- why: definer so the visibility predicate is applied in the query, where the indexes work.
CREATE FUNCTION vestige.stats()
RETURNS TABLE (
    total               bigint,
    own                 bigint,
    shared_with_me      bigint,
    public_not_own      bigint,
    with_embedding      bigint,
    by_node_type        jsonb,
    avg_retention       double precision,
    retention_histogram jsonb,
    due_now             bigint,
    edges               bigint,
    active_intentions   bigint,
    oldest              timestamptz,
    newest              timestamptz
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
    RETURN QUERY
    WITH visible AS (
        SELECT n.id, n.node_type, n.owner_user_id, n.visibility, n.created_at,
               n.embedding IS NOT NULL AS has_embedding,
               s.next_review,
               vestige.retention_now(n.retrieval_strength, n.storage_strength, n.last_accessed,
                                     s.stability, now()) AS retention
          FROM vestige.knowledge_nodes AS n
          LEFT JOIN vestige.scheduling AS s ON s.memory_id = n.id
         WHERE vestige.is_visible(n.visibility, n.owner_user_id, n.shared_with_groups, v_user, v_groups)
    ), bucket AS (
        -- [0, 0.2), [0.2, 0.4), [0.4, 0.6), [0.6, 0.8), [0.8, 1]: 1.0 falls in the last bucket.
        SELECT least(width_bucket(v.retention, 0.0, 1.0, 5), 5) AS b, count(*) AS n
          FROM visible AS v
         GROUP BY 1
    ), totals AS (
        SELECT count(*)                                                            AS total,
               count(*) FILTER (WHERE v.owner_user_id = v_user)                     AS own,
               count(*) FILTER (WHERE v.owner_user_id <> v_user AND v.visibility = 'group')  AS shared_with_me,
               count(*) FILTER (WHERE v.owner_user_id <> v_user AND v.visibility = 'public') AS public_not_own,
               count(*) FILTER (WHERE v.has_embedding)                              AS with_embedding,
               avg(v.retention)                                                     AS avg_retention,
               count(*) FILTER (WHERE v.owner_user_id = v_user AND v.next_review <= now()) AS due_now,
               min(v.created_at)                                                    AS oldest,
               max(v.created_at)                                                    AS newest
          FROM visible AS v
    )
    SELECT t.total, t.own, t.shared_with_me, t.public_not_own, t.with_embedding,
           (SELECT coalesce(jsonb_object_agg(k.node_type, k.n), '{}')
              FROM (SELECT v.node_type, count(*) AS n FROM visible AS v GROUP BY v.node_type) AS k),
           t.avg_retention,
           (SELECT jsonb_object_agg(l.label, coalesce(b.n, 0))
              FROM (VALUES (1, '[0.0,0.2)'), (2, '[0.2,0.4)'), (3, '[0.4,0.6)'),
                           (4, '[0.6,0.8)'), (5, '[0.8,1.0]')) AS l (b, label)
              LEFT JOIN bucket AS b ON b.b = l.b),
           t.due_now,
           (SELECT count(*)
              FROM vestige.edges AS e
              JOIN vestige.knowledge_nodes AS src ON src.id = e.source_id
              JOIN vestige.knowledge_nodes AS dst ON dst.id = e.target_id
             WHERE vestige.is_visible(src.visibility, src.owner_user_id, src.shared_with_groups, v_user, v_groups)
               AND vestige.is_visible(dst.visibility, dst.owner_user_id, dst.shared_with_groups, v_user, v_groups)),
           (SELECT count(*)
              FROM vestige.intentions AS i
             WHERE i.owner_user_id = v_user AND i.status = 'active'),
           t.oldest, t.newest
      FROM totals AS t;
END
$$;

COMMENT ON FUNCTION vestige.stats() IS
'Return one row of statistics over the memories visible to the caller: total, own, shared_with_me (group-shared, not own), public_not_own, with_embedding, by_node_type {type: count}, avg_retention (read-time, vestige.retention_now at now(); NULL without memories), retention_histogram {"[0.0,0.2)": n, ..., "[0.8,1.0]": n} (always 5 keys), due_now (own memories with next_review <= now()), edges (both ends visible), active_intentions (own), oldest and newest created_at. Raises VS001 without a caller identity.';

GRANT EXECUTE ON FUNCTION vestige.stats() TO vestige_app;

COMMIT;

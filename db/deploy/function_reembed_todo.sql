-- Deploy vestige:function_reembed_todo
-- The next memories without a vector for the pending model, in id order, for the client to
-- embed. An interrupted run resumes here: only what is missing comes back. Without a switch in
-- progress every memory is to do (what a dry run samples).
-- Reworked: with each memory, the text of the memory before it in its ingest batch (the source
-- of its earliest incoming temporal edge, which ingest writes for a batch), so the new model
-- embeds it in the same context as ingest did (vestige_client.embed.in_context).

BEGIN;
SET LOCAL ROLE vestige_owner;

-- The result gains a column: the previous function goes first.
DROP FUNCTION vestige.reembed_todo(uuid, integer);

CREATE FUNCTION vestige.reembed_todo(p_after uuid, p_limit integer)
RETURNS TABLE (id uuid, content text, content_md5 text, content_before text)
LANGUAGE plpgsql
STABLE
SET search_path = vestige, pg_catalog, public, pg_temp
AS $$
BEGIN
    IF p_limit IS NULL OR p_limit NOT BETWEEN 1 AND 100000 THEN
        RAISE EXCEPTION 'limit % outside 1-100000', coalesce(p_limit::text, 'NULL')
            USING ERRCODE = 'VS006', HINT = 'Ask for a batch of 1 to 100000 memories.';
    END IF;
    IF NOT EXISTS (SELECT FROM vestige.embedding_model AS m WHERE m.slot = 'pending') THEN
        RETURN QUERY
            SELECT t.id, t.content, md5(t.content),
                   (SELECT b.content
                      FROM vestige.edges AS e
                      JOIN vestige.knowledge_nodes AS b ON b.id = e.source_id
                     WHERE e.target_id = t.id AND e.edge_type = 'temporal'
                     ORDER BY e.created_at, e.source_id
                     LIMIT 1)
              FROM (SELECT n.id, n.content
                      FROM vestige.knowledge_nodes AS n
                     WHERE p_after IS NULL OR n.id > p_after
                     ORDER BY n.id
                     LIMIT p_limit) AS t
             ORDER BY t.id;
        RETURN;
    END IF;
    -- embedding_pending exists only with a pending model: this statement runs only then.
    RETURN QUERY
        SELECT t.id, t.content, md5(t.content),
               (SELECT b.content
                  FROM vestige.edges AS e
                  JOIN vestige.knowledge_nodes AS b ON b.id = e.source_id
                 WHERE e.target_id = t.id AND e.edge_type = 'temporal'
                 ORDER BY e.created_at, e.source_id
                 LIMIT 1)
          FROM (SELECT n.id, n.content
                  FROM vestige.knowledge_nodes AS n
                 WHERE n.embedding_pending IS NULL
                   AND (p_after IS NULL OR n.id > p_after)
                 ORDER BY n.id
                 LIMIT p_limit) AS t
         ORDER BY t.id;
END
$$;

COMMENT ON FUNCTION vestige.reembed_todo(uuid, integer) IS
'Operator function (reembed; vestige_app may not): return up to p_limit (1-100000) memories of every user that have no vector for the pending model yet, with id greater than p_after (NULL: from the start), in id order: id, content, md5(content) (which vestige.reembed_apply checks, so a memory edited meanwhile is embedded again) and content_before, the content of the memory before it in its ingest batch (the source of its earliest incoming temporal edge; NULL when none), which its vector embeds after its own text, as ingest does. Without a switch in progress every memory is to do (a dry run samples them). Errors: VS006 bad limit.';

COMMIT;

-- Deploy vestige:function_stored_secrets
-- The secrets already stored (before vestige.check_content refused them, or written by an
-- operator's own SQL): what `vestige secrets scan` lists. Operator only: it reads every user's
-- memories. No value leaves the database, only where each secret is.

BEGIN;
SET LOCAL ROLE vestige_owner;

CREATE FUNCTION vestige.stored_secrets()
RETURNS TABLE (item text, id uuid, owner_user_id uuid, kind text, "position" integer)
LANGUAGE sql
STABLE
SET search_path = vestige, pg_catalog, pg_temp
AS $$
    SELECT t.item, t.id, t.owner_user_id, f.kind, f."position"
      FROM (SELECT 'memory' AS item, n.id, n.owner_user_id, n.content FROM vestige.knowledge_nodes AS n
            UNION ALL
            SELECT 'intention', i.id, i.owner_user_id, i.content FROM vestige.intentions AS i) AS t
     CROSS JOIN LATERAL vestige.find_secrets(t.content) AS f
     ORDER BY t.item, t.id, f."position"
$$;

COMMENT ON FUNCTION vestige.stored_secrets() IS
'Operator function (`vestige secrets scan`; vestige_app may not): every secret vestige.find_secrets finds in a stored memory or intention, one row each: item (memory or intention), its id and owner, the kind and the character position; never the value. Ordered by item, id and position.';

COMMIT;

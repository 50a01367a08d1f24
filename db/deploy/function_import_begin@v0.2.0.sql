-- Deploy vestige:function_import_begin
-- Start a bulk import: empty the staging tables and, when there are no memories yet, drop the
-- HNSW index (its definition is kept in vestige.import_state) so vestige.import_finish builds
-- it once over all the rows instead of maintaining it row by row.

BEGIN;
SET LOCAL ROLE vestige_owner;

CREATE FUNCTION vestige.import_begin()
RETURNS boolean
LANGUAGE plpgsql
VOLATILE
SET search_path = vestige, pg_catalog, public, pg_temp
AS $$
DECLARE
    v_empty boolean := NOT EXISTS (SELECT FROM vestige.knowledge_nodes);
    v_def   text;
BEGIN
    TRUNCATE vestige.import_nodes, vestige.import_edges, vestige.import_intentions;
    SELECT pg_get_indexdef(i.indexrelid) INTO v_def
      FROM pg_index AS i
     WHERE i.indexrelid = to_regclass('vestige.knowledge_nodes_embedding_idx');
    INSERT INTO vestige.import_state (id) VALUES (1) ON CONFLICT (id) DO NOTHING;
    IF v_empty AND v_def IS NOT NULL THEN
        UPDATE vestige.import_state SET index_def = v_def, started_at = now() WHERE id = 1;
        DROP INDEX vestige.knowledge_nodes_embedding_idx;
    END IF;
    RETURN v_empty;
END
$$;

COMMENT ON FUNCTION vestige.import_begin() IS
'Operator function (bulk import, run by `vestige migrate copy` as the owner or a superuser; vestige_app may not): empty the staging tables and return whether vestige.knowledge_nodes is empty; if it is, drop the HNSW index, keeping its definition in vestige.import_state for vestige.import_finish to rebuild after the load (an interrupted import is finished by running it again).';

COMMIT;

-- Deploy vestige:function_import_begin (reworked: the secondary indexes are dropped too)
-- Start a bulk import: empty the staging tables and, when there are no memories yet, drop the
-- HNSW index and the secondary indexes of knowledge_nodes, memory_words, scheduling and edges
-- (their definitions are kept in vestige.import_state) so vestige.import_finish builds each once
-- over all the rows instead of maintaining it row by row.

BEGIN;
SET LOCAL ROLE vestige_owner;

CREATE OR REPLACE FUNCTION vestige.import_begin()
RETURNS boolean
LANGUAGE plpgsql
VOLATILE
SET search_path = vestige, pg_catalog, public, pg_temp
AS $$
DECLARE
    v_empty   boolean := NOT EXISTS (SELECT FROM vestige.knowledge_nodes);
    v_def     text;
    v_indexes regclass[];
    v_defs    text[];
    v_index   regclass;
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
    IF v_empty THEN
        -- Every other index that enforces nothing (not unique, backs no constraint). Added to
        -- what an interrupted run recorded: it dropped them already.
        SELECT array_agg(i.indexrelid::regclass ORDER BY i.indexrelid),
               array_agg(pg_get_indexdef(i.indexrelid) ORDER BY i.indexrelid)
          INTO v_indexes, v_defs
          FROM pg_index AS i
         WHERE i.indrelid IN ('vestige.knowledge_nodes'::regclass, 'vestige.memory_words'::regclass,
                              'vestige.scheduling'::regclass, 'vestige.edges'::regclass)
           AND NOT i.indisunique
           AND NOT EXISTS (SELECT FROM pg_constraint AS c WHERE c.conindid = i.indexrelid);
        IF v_indexes IS NOT NULL THEN
            UPDATE vestige.import_state SET index_defs = index_defs || v_defs WHERE id = 1;
            FOREACH v_index IN ARRAY v_indexes LOOP
                EXECUTE format('DROP INDEX %s', v_index);
            END LOOP;
        END IF;
    END IF;
    RETURN v_empty;
END
$$;

COMMENT ON FUNCTION vestige.import_begin() IS
'Operator function (bulk import, run by `vestige migrate copy` as the owner or a superuser; vestige_app may not): empty the staging tables and return whether vestige.knowledge_nodes is empty; if it is, drop the HNSW index and every index of knowledge_nodes, memory_words, scheduling and edges that enforces nothing (not unique, backing no constraint), keeping their definitions in vestige.import_state for vestige.import_finish to build after the load (an interrupted import is finished by running it again).';

COMMIT;

-- Deploy vestige:function_import_finish
-- End a bulk import: rebuild the HNSW index dropped by vestige.import_begin (also after an
-- interrupted run) and refresh the planner statistics.

BEGIN;
SET LOCAL ROLE vestige_owner;

CREATE FUNCTION vestige.import_finish()
RETURNS boolean
LANGUAGE plpgsql
VOLATILE
SET search_path = vestige, pg_catalog, public, pg_temp
AS $$
DECLARE
    v_def   text;
    v_built boolean := false;
BEGIN
    SELECT s.index_def INTO v_def FROM vestige.import_state AS s WHERE s.id = 1;
    IF v_def IS NOT NULL AND to_regclass('vestige.knowledge_nodes_embedding_idx') IS NULL THEN
        -- Enough memory to build the graph in one pass (the session default is small).
        PERFORM set_config('maintenance_work_mem', '512MB', true);
        EXECUTE v_def;
        v_built := true;
    END IF;
    DELETE FROM vestige.import_state;
    ANALYZE vestige.knowledge_nodes;
    ANALYZE vestige.scheduling;
    ANALYZE vestige.edges;
    ANALYZE vestige.intentions;
    RETURN v_built;
END
$$;

COMMENT ON FUNCTION vestige.import_finish() IS
'Operator function (bulk import, run by `vestige migrate copy` as the owner or a superuser; vestige_app may not): rebuild the HNSW index that vestige.import_begin dropped (with its recorded definition, maintenance_work_mem 512MB for this transaction), forget the import state, ANALYZE the memory tables, and return whether the index was built.';

COMMIT;

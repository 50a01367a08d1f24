-- Deploy vestige:function_import_finish (reworked: the secondary indexes are built too)
-- End a bulk import: build the secondary indexes and the HNSW index dropped by
-- vestige.import_begin (also after an interrupted run) and refresh the planner statistics.

BEGIN;
SET LOCAL ROLE vestige_owner;

CREATE OR REPLACE FUNCTION vestige.import_finish()
RETURNS boolean
LANGUAGE plpgsql
VOLATILE
SET search_path = vestige, pg_catalog, public, pg_temp
AS $$
DECLARE
    v_def   text;
    v_defs  text[];
    v_other text;
    v_built boolean := false;
BEGIN
    SELECT s.index_def, s.index_defs INTO v_def, v_defs FROM vestige.import_state AS s WHERE s.id = 1;
    -- Enough memory to build each index in one pass (the session default is small).
    PERFORM set_config('maintenance_work_mem', '512MB', true);
    FOREACH v_other IN ARRAY coalesce(v_defs, '{}') LOOP
        BEGIN
            EXECUTE v_other;
        EXCEPTION WHEN duplicate_table THEN
            NULL;  -- built already (by hand, or by a run that recorded it twice)
        END;
    END LOOP;
    IF v_def IS NOT NULL AND to_regclass('vestige.knowledge_nodes_embedding_idx') IS NULL THEN
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
'Operator function (bulk import, run by `vestige migrate copy` as the owner or a superuser; vestige_app may not): build the secondary indexes and the HNSW index that vestige.import_begin dropped (with their recorded definitions, maintenance_work_mem 512MB for this transaction), forget the import state, ANALYZE the memory tables, and return whether the HNSW index was built.';

COMMIT;

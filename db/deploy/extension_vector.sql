-- Deploy vestige:extension_vector
-- pgvector in schema public. Versions before 0.8.4 are refused: they carry HNSW vacuum bugs
-- that can corrupt the index, and 0.8 brings the iterative scans filtered search relies on.

BEGIN;

CREATE EXTENSION IF NOT EXISTS vector WITH SCHEMA public;

DO $$
DECLARE
    v_version text;
    v_schema name;
BEGIN
    SELECT e.extversion, n.nspname INTO v_version, v_schema
      FROM pg_catalog.pg_extension e
      JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
     WHERE e.extname = 'vector';
    IF pg_catalog.string_to_array(pg_catalog.split_part(v_version, '-', 1), '.')::int[] < '{0,8,4}'::int[] THEN
        RAISE EXCEPTION 'pgvector % is too old: vestige needs 0.8.4 or later', v_version
            USING ERRCODE = 'VS012',
                  HINT = 'Run ALTER EXTENSION vector UPDATE (install pgvector >= 0.8.4 first): '
                         'earlier versions have HNSW vacuum bugs that can corrupt the index.';
    END IF;
    IF v_schema <> 'public' THEN
        RAISE EXCEPTION 'pgvector is installed in schema %, vestige expects it in public', v_schema
            USING ERRCODE = 'VS012',
                  HINT = 'Run ALTER EXTENSION vector SET SCHEMA public, or deploy into a database without it.';
    END IF;
END
$$;

COMMIT;

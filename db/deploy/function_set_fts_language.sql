-- Deploy vestige:function_set_fts_language
-- Operator function: change the full-text language of the deployment and recompute the
-- tsvector of every memory. Not part of the application API: no GRANT to vestige_app and not
-- SECURITY DEFINER, so only the owner (or a superuser) can run it.

BEGIN;
SET LOCAL ROLE vestige_owner;

CREATE FUNCTION vestige.set_fts_language(p_language regconfig)
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SET search_path = vestige, pg_catalog, pg_temp
AS $$
DECLARE
    v_rows bigint;
BEGIN
    IF p_language IS NULL THEN
        RAISE EXCEPTION 'no full-text language given'
            USING ERRCODE = 'VS006', HINT = 'Pass a text search configuration such as english or simple (the names are in pg_catalog.pg_ts_config).';
    END IF;

    -- Writers wait until the switch commits, so no memory is stored in the old language
    -- after its recompute. Readers (searches) go on.
    LOCK TABLE vestige.knowledge_nodes IN SHARE ROW EXCLUSIVE MODE;

    UPDATE vestige.settings SET fts_language = p_language;

    -- Only search_tsv is set, which neither trigger watches: updated_at stays as it was.
    UPDATE vestige.knowledge_nodes AS n
       SET search_tsv = vestige.memory_tsv(p_language, n.content, n.node_type, n.tags);
    GET DIAGNOSTICS v_rows = ROW_COUNT;

    RETURN v_rows;
END
$$;

COMMENT ON FUNCTION vestige.set_fts_language(regconfig) IS
'Operator function: store the full-text language (a text search configuration such as english or simple) in vestige.settings and recompute search_tsv of every memory, keeping updated_at; return the number of memories recomputed. Blocks writers to knowledge_nodes until the transaction ends. Run it as the owner or a superuser (vestige_app may not): SELECT vestige.set_fts_language(''simple''). Errors: VS006 when the language is NULL.';

COMMIT;

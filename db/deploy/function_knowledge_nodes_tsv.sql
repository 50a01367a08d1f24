-- Deploy vestige:function_knowledge_nodes_tsv
-- Trigger function: the weighted tsvector of a memory (content A, node_type B, tags C) in the
-- configured full-text language. A trigger rather than a generated column, because a
-- generated column cannot read the language from vestige.settings.

BEGIN;
SET LOCAL ROLE vestige_owner;

CREATE FUNCTION vestige.knowledge_nodes_tsv()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = vestige, pg_catalog, pg_temp
AS $$
DECLARE
    v_language regconfig := (SELECT s.fts_language FROM vestige.settings AS s);
BEGIN
    NEW.search_tsv :=
           setweight(to_tsvector(v_language, NEW.content), 'A')
        || setweight(to_tsvector(v_language, NEW.node_type), 'B')
        || setweight(to_tsvector(v_language, array_to_string(NEW.tags, ' ')), 'C');
    RETURN NEW;
END
$$;

COMMENT ON FUNCTION vestige.knowledge_nodes_tsv() IS 'Trigger function: compute search_tsv (content A, node_type B, tags C) in the configured language.';

GRANT SELECT ON vestige.settings TO vestige_app;

COMMIT;

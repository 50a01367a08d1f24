-- Deploy vestige:function_knowledge_nodes_tsv
-- The weighted tsvector of a memory (content A, node_type B, tags C) in the configured
-- full-text language: the expression once (vestige.memory_tsv), and the trigger function
-- that applies it. A trigger rather than a generated column, because a generated column
-- cannot read the language from vestige.settings. vestige.set_fts_language uses the same
-- expression to recompute every memory when the language changes.

BEGIN;
SET LOCAL ROLE vestige_owner;

-- search_path: none. The SQL-standard body is bound when the function is created, and a SET
-- clause would stop the planner from inlining it into the calling query. STABLE, not
-- IMMUTABLE, because array_to_string is stable.
CREATE FUNCTION vestige.memory_tsv(
    p_language  regconfig,
    p_content   text,
    p_node_type text,
    p_tags      text[]
)
RETURNS tsvector
LANGUAGE sql
STABLE PARALLEL SAFE
RETURN setweight(to_tsvector(p_language, coalesce(p_content, '')), 'A')
    || setweight(to_tsvector(p_language, coalesce(p_node_type, '')), 'B')
    || setweight(to_tsvector(p_language, coalesce(array_to_string(p_tags, ' '), '')), 'C');

COMMENT ON FUNCTION vestige.memory_tsv(regconfig, text, text, text[]) IS
'Return the weighted full-text vector of a memory in the given language: content weight A, node_type B, tags C. Used by the knowledge_nodes trigger and by set_fts_language.';

-- The trigger runs as whoever writes the row (also vestige_app through direct SQL), so that
-- role needs the expression and the language setting.
GRANT EXECUTE ON FUNCTION vestige.memory_tsv(regconfig, text, text, text[]) TO vestige_app;

CREATE FUNCTION vestige.knowledge_nodes_tsv()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = vestige, pg_catalog, pg_temp
AS $$
BEGIN
    NEW.search_tsv := vestige.memory_tsv((SELECT s.fts_language FROM vestige.settings AS s),
                                         NEW.content, NEW.node_type, NEW.tags);
    RETURN NEW;
END
$$;

COMMENT ON FUNCTION vestige.knowledge_nodes_tsv() IS 'Trigger function: compute search_tsv (content A, node_type B, tags C) in the configured language with vestige.memory_tsv.';

GRANT SELECT ON vestige.settings TO vestige_app;

COMMIT;

-- Deploy vestige:table_memory_words
-- The words of each memory with who may see it, in narrow rows: search_hybrid's text leg reads
-- its matches here. In knowledge_nodes a row is ~1.7 KB (the 1.5 KB vector is stored in the row,
-- below the 2 KB at which PostgreSQL moves values out of line), so ranking the thousands of rows
-- a question's words match read as many wide rows; here they are ~0.25 KB (10,000 LoCoMo turns:
-- a words-only search in 0.74 of the time, bench/words.py). knowledge_nodes stays the source: a trigger
-- copies each row's words, owner, visibility, groups and whether it is superseded, on every
-- insert and on every update that changes one of them (not the testing effect's).

BEGIN;
SET LOCAL ROLE vestige_owner;

CREATE TABLE vestige.memory_words (
    id                 uuid     PRIMARY KEY REFERENCES vestige.knowledge_nodes (id) ON DELETE CASCADE,
    owner_user_id      uuid     NOT NULL,
    visibility         text     NOT NULL,
    shared_with_groups uuid[]   NOT NULL,
    superseded         boolean  NOT NULL,
    search_tsv         tsvector NOT NULL
);

-- fastupdate off, like the indexes searches read (index_knowledge_nodes_gin_fastupdate).
CREATE INDEX memory_words_search_tsv_idx ON vestige.memory_words USING gin (search_tsv) WITH (fastupdate = off);

-- why: definer so that whoever writes a memory (an API function, an operator, an import) keeps
-- its copy, which no one else may write.
CREATE FUNCTION vestige.memory_words_sync()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = vestige, pg_catalog, pg_temp
AS $$
BEGIN
    INSERT INTO vestige.memory_words AS w (id, owner_user_id, visibility, shared_with_groups, superseded, search_tsv)
    VALUES (NEW.id, NEW.owner_user_id, NEW.visibility, NEW.shared_with_groups, NEW.superseded_by IS NOT NULL,
            NEW.search_tsv)
    ON CONFLICT (id) DO UPDATE
        SET owner_user_id = EXCLUDED.owner_user_id, visibility = EXCLUDED.visibility,
            shared_with_groups = EXCLUDED.shared_with_groups, superseded = EXCLUDED.superseded,
            search_tsv = EXCLUDED.search_tsv;
    RETURN NULL;
END
$$;

COMMENT ON FUNCTION vestige.memory_words_sync() IS 'Trigger function: copy a memory''s words, owner, visibility, groups and whether it is superseded into vestige.memory_words.';

-- AFTER, so the copy is of the row as stored (search_tsv is computed by a BEFORE trigger). The
-- update trigger fires only when a copied column changed (the WHEN clause compares the stored
-- rows): recalls, reviews and re-embedding, which change none, never fire it.
CREATE TRIGGER knowledge_nodes_words_insert
    AFTER INSERT ON vestige.knowledge_nodes
    FOR EACH ROW EXECUTE FUNCTION vestige.memory_words_sync();
CREATE TRIGGER knowledge_nodes_words_update
    AFTER UPDATE ON vestige.knowledge_nodes
    FOR EACH ROW
    WHEN (OLD.search_tsv IS DISTINCT FROM NEW.search_tsv
          OR OLD.owner_user_id IS DISTINCT FROM NEW.owner_user_id
          OR OLD.visibility IS DISTINCT FROM NEW.visibility
          OR OLD.shared_with_groups IS DISTINCT FROM NEW.shared_with_groups
          OR (OLD.superseded_by IS NULL) IS DISTINCT FROM (NEW.superseded_by IS NULL))
    EXECUTE FUNCTION vestige.memory_words_sync();

INSERT INTO vestige.memory_words (id, owner_user_id, visibility, shared_with_groups, superseded, search_tsv)
SELECT n.id, n.owner_user_id, n.visibility, n.shared_with_groups, n.superseded_by IS NOT NULL, n.search_tsv
  FROM vestige.knowledge_nodes AS n;

COMMENT ON TABLE vestige.memory_words IS 'The words of each memory (knowledge_nodes.search_tsv) with its owner, visibility, groups and whether it is superseded, copied by trigger: the narrow rows search_hybrid''s text leg ranks. Not readable by vestige_app.';

COMMIT;

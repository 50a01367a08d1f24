-- Deploy vestige:table_knowledge_nodes
-- Memories. The embedding column is untyped until vestige.register_model stamps vector(N)
-- and builds the HNSW index. Row-level security is enabled (not forced): the API functions
-- run as the owner and apply the visibility predicate themselves; the policies guard direct
-- SQL as vestige_app.

BEGIN;
SET LOCAL ROLE vestige_owner;

CREATE TABLE vestige.knowledge_nodes (
    id                 uuid             PRIMARY KEY DEFAULT gen_random_uuid(),
    content            text             NOT NULL CHECK (content ~ '\S' AND octet_length(content) <= 1048576),
    node_type          text             NOT NULL DEFAULT 'fact' CHECK (node_type ~ '\S' AND length(node_type) <= 64),
    tags               text[]           NOT NULL DEFAULT '{}',
    source             text,
    metadata           jsonb            NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
    domains            text[]           NOT NULL DEFAULT '{}',
    domain_scores      jsonb            NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(domain_scores) = 'object'),
    codebase           text             CHECK (codebase ~ '\S'),
    valid_from         timestamptz,
    valid_until        timestamptz,
    owner_user_id      uuid             NOT NULL DEFAULT '00000000-0000-0000-0000-000000000001'
                                        REFERENCES vestige.users (id),
    visibility         text             NOT NULL DEFAULT 'private'
                                        CHECK (visibility IN ('private', 'group', 'public')),
    shared_with_groups uuid[]           NOT NULL DEFAULT '{}',
    storage_strength   double precision NOT NULL DEFAULT 1 CHECK (storage_strength >= 0),
    retrieval_strength double precision NOT NULL DEFAULT 1 CHECK (retrieval_strength BETWEEN 0 AND 1),
    retention_strength double precision NOT NULL DEFAULT 1 CHECK (retention_strength BETWEEN 0 AND 1),
    access_count       integer          NOT NULL DEFAULT 0 CHECK (access_count >= 0),
    last_accessed      timestamptz      NOT NULL DEFAULT now(),
    protected          boolean          NOT NULL DEFAULT false,
    superseded_by      uuid             REFERENCES vestige.knowledge_nodes (id) ON DELETE SET NULL,
    created_at         timestamptz      NOT NULL DEFAULT now(),
    updated_at         timestamptz      NOT NULL DEFAULT now(),
    embedding          public.vector,
    search_tsv         tsvector         NOT NULL,
    CHECK (valid_until IS NULL OR valid_from IS NULL OR valid_until >= valid_from),
    CHECK (superseded_by IS DISTINCT FROM id)
);

CREATE INDEX knowledge_nodes_search_tsv_idx ON vestige.knowledge_nodes USING gin (search_tsv);
CREATE INDEX knowledge_nodes_owner_user_id_idx ON vestige.knowledge_nodes (owner_user_id);
-- Visibility kind, owner and groups in one small index: search_hybrid counts and reads the rows
-- of each visibility arm (public, shared with a group) from it without touching the wide rows.
CREATE INDEX knowledge_nodes_visibility_idx ON vestige.knowledge_nodes (visibility, owner_user_id)
    INCLUDE (shared_with_groups);
CREATE INDEX knowledge_nodes_shared_with_groups_idx ON vestige.knowledge_nodes USING gin (shared_with_groups);
CREATE INDEX knowledge_nodes_codebase_idx ON vestige.knowledge_nodes (codebase) WHERE codebase IS NOT NULL;
CREATE INDEX knowledge_nodes_tags_idx ON vestige.knowledge_nodes USING gin (tags);
CREATE INDEX knowledge_nodes_superseded_by_idx ON vestige.knowledge_nodes (superseded_by) WHERE superseded_by IS NOT NULL;

CREATE TRIGGER knowledge_nodes_tsv
    BEFORE INSERT OR UPDATE OF content, node_type, tags ON vestige.knowledge_nodes
    FOR EACH ROW EXECUTE FUNCTION vestige.knowledge_nodes_tsv();

-- updated_at means "what the memory says or who sees it changed": recalls, reviews, strength
-- changes, decay and re-embedding do not move it. (The embedding column must stay out of this
-- list anyway: register_model changes its type, which a trigger naming it would block.)
CREATE TRIGGER knowledge_nodes_updated_at
    BEFORE UPDATE OF content, node_type, tags, source, metadata, domains, domain_scores, codebase,
                     valid_from, valid_until, visibility, shared_with_groups, protected, superseded_by
    ON vestige.knowledge_nodes
    FOR EACH ROW EXECUTE FUNCTION vestige.set_updated_at();

ALTER TABLE vestige.knowledge_nodes ENABLE ROW LEVEL SECURITY;

COMMENT ON TABLE vestige.knowledge_nodes IS 'Memories: content, type, tags, provenance, owner and visibility, strengths, embedding and full-text vector.';
COMMENT ON COLUMN vestige.knowledge_nodes.visibility IS 'private (owner only), group (owner and members of shared_with_groups) or public.';
COMMENT ON COLUMN vestige.knowledge_nodes.embedding IS 'Embedding of the active model; typed vector(N) and HNSW-indexed once a model is registered.';
COMMENT ON COLUMN vestige.knowledge_nodes.search_tsv IS 'Weighted tsvector (content A, node_type B, tags C), maintained by trigger in the configured language.';
COMMENT ON COLUMN vestige.knowledge_nodes.retention_strength IS 'Stored retention: 0.7 retrieval + 0.3 min(storage/10, 1), persisted by apply_decay; read-time retention is vestige.retention_now.';

-- Direct SQL as vestige_app (under row-level security) may not write embeddings or strengths:
-- only the API checks a vector against the registered model.
GRANT SELECT, DELETE ON vestige.knowledge_nodes TO vestige_app;
GRANT INSERT (id, content, node_type, tags, source, metadata, domains, domain_scores, codebase,
              valid_from, valid_until, owner_user_id, visibility, shared_with_groups, protected)
    ON vestige.knowledge_nodes TO vestige_app;
GRANT UPDATE (content, node_type, tags, source, metadata, domains, domain_scores, codebase,
              valid_from, valid_until, visibility, shared_with_groups, protected)
    ON vestige.knowledge_nodes TO vestige_app;

COMMIT;

-- Deploy vestige:table_embedding_model
-- The embedding model registry: exactly one active model, and room for a pending model (the
-- target of a running reembed) and the previous one (kept for rollback). The generation
-- number changes at every switch, so running clients notice.

BEGIN;
SET LOCAL ROLE vestige_owner;

CREATE TABLE vestige.embedding_model (
    slot          text        PRIMARY KEY CHECK (slot IN ('active', 'pending', 'previous')),
    name          text        NOT NULL CHECK (name ~ '\S' AND length(name) <= 256),
    dimension     integer     NOT NULL CHECK (dimension BETWEEN 1 AND 2000),
    hash          text        NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
    generation    bigint      NOT NULL CHECK (generation >= 1),
    registered_at timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE vestige.embedding_model IS 'Embedding model registry: the active model, and an optional pending and previous one.';
COMMENT ON COLUMN vestige.embedding_model.hash IS 'sha256 (hex) over model name, dimension, revision and query/document templates, computed by the client.';
COMMENT ON COLUMN vestige.embedding_model.generation IS 'Increases at every model switch; the active row carries the current generation.';

GRANT SELECT ON vestige.embedding_model TO vestige_app;

COMMIT;

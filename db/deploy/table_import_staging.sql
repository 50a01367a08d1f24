-- Deploy vestige:table_import_staging
-- Staging tables for bulk imports (`vestige migrate copy`): the client COPYs a batch of rows
-- in, vestige.import_apply moves them into the real tables and empties them, in one
-- transaction per batch. Unlogged: their content never outlives its batch. Plus the state of a
-- running import (the HNSW index to rebuild when the import started on an empty table).

BEGIN;
SET LOCAL ROLE vestige_owner;

CREATE UNLOGGED TABLE vestige.import_nodes (
    id                 uuid PRIMARY KEY,
    content            text NOT NULL,
    node_type          text NOT NULL,
    tags               text[] NOT NULL,
    source             text,
    metadata           jsonb NOT NULL,
    domains            text[] NOT NULL,
    domain_scores      jsonb NOT NULL,
    codebase           text,
    valid_from         timestamptz,
    valid_until        timestamptz,
    protected          boolean NOT NULL,
    superseded_by      uuid,
    storage_strength   double precision NOT NULL,
    retrieval_strength double precision NOT NULL,
    retention_strength double precision NOT NULL,
    access_count       integer NOT NULL,
    last_accessed      timestamptz NOT NULL,
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL,
    embedding          public.vector,
    stability          double precision,
    difficulty         double precision,
    retrievability     double precision NOT NULL,
    state              text NOT NULL,
    reps               integer NOT NULL,
    lapses             integer NOT NULL,
    last_review        timestamptz,
    next_review        timestamptz NOT NULL
);

CREATE UNLOGGED TABLE vestige.import_edges (
    source_id        uuid NOT NULL,
    target_id        uuid NOT NULL,
    edge_type        text NOT NULL,
    weight           double precision NOT NULL,
    created_at       timestamptz NOT NULL,
    last_activated   timestamptz,
    activation_count integer NOT NULL
);

CREATE UNLOGGED TABLE vestige.import_intentions (
    id                 uuid PRIMARY KEY,
    content            text NOT NULL,
    trigger_type       text NOT NULL,
    trigger_data       jsonb NOT NULL,
    priority           integer NOT NULL,
    status             text NOT NULL,
    deadline           timestamptz,
    snoozed_until      timestamptz,
    tags               text[] NOT NULL,
    related_memory_ids uuid[] NOT NULL,
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL
);

CREATE TABLE vestige.import_state (
    id         integer     PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    index_def  text,
    started_at timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE vestige.import_nodes IS 'Staging for imported memories with their scheduling (one batch at a time; emptied by vestige.import_apply).';
COMMENT ON TABLE vestige.import_edges IS 'Staging for imported edges (one batch at a time; emptied by vestige.import_apply).';
COMMENT ON TABLE vestige.import_intentions IS 'Staging for imported intentions (one batch at a time; emptied by vestige.import_apply).';
COMMENT ON TABLE vestige.import_state IS 'The running import: the definition of the HNSW index dropped at its start, rebuilt by vestige.import_finish (also after an interrupted run).';

COMMIT;

-- Deploy vestige:table_edges
-- Typed, weighted, directed links between memories, for spreading activation.

BEGIN;
SET LOCAL ROLE vestige_owner;

CREATE TABLE vestige.edges (
    source_id        uuid             NOT NULL REFERENCES vestige.knowledge_nodes (id) ON DELETE CASCADE,
    target_id        uuid             NOT NULL REFERENCES vestige.knowledge_nodes (id) ON DELETE CASCADE,
    edge_type        text             NOT NULL DEFAULT 'related' CHECK (edge_type ~ '^[a-z][a-z0-9_]{0,63}$'),
    weight           double precision NOT NULL DEFAULT 1 CHECK (weight > 0 AND weight <= 1),
    created_at       timestamptz      NOT NULL DEFAULT now(),
    last_activated   timestamptz,
    activation_count integer          NOT NULL DEFAULT 0 CHECK (activation_count >= 0),
    PRIMARY KEY (source_id, target_id, edge_type),
    CHECK (source_id <> target_id)
);

CREATE INDEX edges_target_id_idx ON vestige.edges (target_id);

ALTER TABLE vestige.edges ENABLE ROW LEVEL SECURITY;

COMMENT ON TABLE vestige.edges IS 'Directed typed links between memories with a weight in (0, 1].';

GRANT SELECT ON vestige.edges TO vestige_app;

COMMIT;

-- Deploy vestige:table_domains
-- Knowledge domains (deployment-wide) with a centroid in the active model's vector space.

BEGIN;
SET LOCAL ROLE vestige_owner;

CREATE TABLE vestige.domains (
    id           text          PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9_.-]{0,63}$'),
    label        text          NOT NULL CHECK (label ~ '\S'),
    centroid     public.vector,
    top_terms    text[]        NOT NULL DEFAULT '{}',
    memory_count integer       NOT NULL DEFAULT 0 CHECK (memory_count >= 0),
    metadata     jsonb         NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
    updated_at   timestamptz   NOT NULL DEFAULT now()
);

CREATE TRIGGER domains_updated_at
    BEFORE UPDATE ON vestige.domains
    FOR EACH ROW EXECUTE FUNCTION vestige.set_updated_at();

COMMENT ON TABLE vestige.domains IS 'Knowledge domains: label, centroid vector (active model), top terms and memory count.';

COMMIT;

-- Verify vestige:revoke_app_writes

BEGIN;
SELECT 1 / (NOT pg_catalog.has_table_privilege('vestige_app', 'vestige.knowledge_nodes', 'INSERT')
        AND NOT pg_catalog.has_any_column_privilege('vestige_app', 'vestige.knowledge_nodes', 'INSERT')
        AND NOT pg_catalog.has_any_column_privilege('vestige_app', 'vestige.knowledge_nodes', 'UPDATE')
        AND NOT pg_catalog.has_table_privilege('vestige_app', 'vestige.knowledge_nodes', 'DELETE')
        AND NOT pg_catalog.has_table_privilege('vestige_app', 'vestige.intentions', 'INSERT, UPDATE, DELETE'))::int;
SELECT 1 / count(*) FROM pg_catalog.pg_policy WHERE polname = 'intentions_select';
ROLLBACK;

-- Verify vestige:function_knowledge_nodes_tsv

BEGIN;
SELECT 'vestige.knowledge_nodes_tsv()'::regprocedure;
SELECT 1 / (vestige.memory_tsv('simple', 'the fox', 'fact', '{tag}') = 'fox:2A the:1A fact:3B tag:4C'::tsvector)::int;
SELECT 1 / pg_catalog.has_function_privilege('vestige_app', 'vestige.memory_tsv(regconfig, text, text, text[])', 'EXECUTE')::int;
ROLLBACK;

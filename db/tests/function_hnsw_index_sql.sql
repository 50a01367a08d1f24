-- pgTAP: vestige.hnsw_index_sql — the one definition of the HNSW indexes, used by register_model,
-- reembed_rollback and `vestige migrate reembed`.
BEGIN;
SELECT plan(7);

SELECT volatility_is('vestige', 'hnsw_index_sql', ARRAY['text', 'boolean'], 'immutable', 'hnsw_index_sql should be IMMUTABLE');
SELECT function_privs_are('vestige', 'hnsw_index_sql', ARRAY['text', 'boolean'], 'vestige_app', ARRAY[]::text[],
                          'vestige_app should not be allowed to execute the operator helper hnsw_index_sql');
SELECT is(vestige.hnsw_index_sql('embedding'),
    'CREATE INDEX IF NOT EXISTS knowledge_nodes_embedding_idx ON vestige.knowledge_nodes USING hnsw (embedding public.vector_cosine_ops) WITH (m = 16, ef_construction = 64)',
    'the active index should be cosine HNSW with m 16 and ef_construction 64');
SELECT is(vestige.hnsw_index_sql('embedding_pending', true),
    'CREATE INDEX CONCURRENTLY IF NOT EXISTS knowledge_nodes_embedding_pending_idx ON vestige.knowledge_nodes USING hnsw (embedding_pending public.vector_cosine_ops) WITH (m = 16, ef_construction = 64)',
    'the pending index should be built the same way, concurrently when asked');
SELECT throws_ok($$SELECT vestige.hnsw_index_sql('content')$$, 'VS006', NULL, 'another column should raise VS006');

-- register_model builds exactly this index.
SELECT vestige_test.register_model();
SELECT is((SELECT pg_get_indexdef('vestige.knowledge_nodes_embedding_idx'::regclass)),
    'CREATE INDEX knowledge_nodes_embedding_idx ON vestige.knowledge_nodes USING hnsw (embedding vector_cosine_ops) WITH (m=''16'', ef_construction=''64'')',
    'register_model should build the index hnsw_index_sql defines');
SELECT ok(NOT EXISTS (SELECT FROM pg_proc AS p JOIN pg_namespace AS n ON n.oid = p.pronamespace
                       WHERE n.nspname = 'vestige' AND p.proname <> 'hnsw_index_sql'
                         AND p.prosrc ~ 'ef_construction\s*=\s*\d'),
    'no other function of the schema should write the HNSW build parameters');

SELECT * FROM finish();
ROLLBACK;

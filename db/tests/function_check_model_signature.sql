-- pgTAP: vestige.check_model_signature — the checks on a model name, dimension and hash shared
-- by vestige.register_model and vestige.reembed_prepare. A private helper: tested as
-- vestige_owner, the role the API functions run as.
BEGIN;
SELECT plan(24);

SET LOCAL ROLE vestige_owner;

-- The name: non-blank, at most 256 characters.
SELECT throws_ok($$SELECT vestige.check_model_signature(NULL, 3, repeat('a', 64))$$,
                 'VS006', NULL, 'a NULL model name should raise VS006');
SELECT throws_ok($$SELECT vestige.check_model_signature('', 3, repeat('a', 64))$$,
                 'VS006', NULL, 'an empty model name should raise VS006');
SELECT throws_ok($$SELECT vestige.check_model_signature(E' \t\n', 3, repeat('a', 64))$$,
                 'VS006', NULL, 'a model name of white space only should raise VS006');
SELECT throws_ok($$SELECT vestige.check_model_signature(repeat('n', 257), 3, repeat('a', 64))$$,
                 'VS006', NULL, 'a model name of 257 characters should raise VS006');
SELECT lives_ok($$SELECT vestige.check_model_signature(repeat('n', 256), 3, repeat('a', 64))$$,
                'a model name of exactly 256 characters should pass');

-- The dimension: 1 to 2000 (the HNSW limit of pgvector).
SELECT throws_ok($$SELECT vestige.check_model_signature('test-model', NULL, repeat('a', 64))$$,
                 'VS006', NULL, 'a NULL dimension should raise VS006');
SELECT throws_ok($$SELECT vestige.check_model_signature('test-model', 0, repeat('a', 64))$$,
                 'VS006', NULL, 'dimension 0 should raise VS006');
SELECT throws_ok($$SELECT vestige.check_model_signature('test-model', -3, repeat('a', 64))$$,
                 'VS006', NULL, 'a negative dimension should raise VS006');
SELECT throws_ok($$SELECT vestige.check_model_signature('test-model', 2001, repeat('a', 64))$$,
                 'VS006', NULL, 'dimension 2001 (above the HNSW limit) should raise VS006');
SELECT lives_ok($$SELECT vestige.check_model_signature('test-model', 1, repeat('a', 64))$$,
                'dimension 1 should pass');
SELECT lives_ok($$SELECT vestige.check_model_signature('test-model', 2000, repeat('a', 64))$$,
                'dimension 2000 (the HNSW limit) should pass');

-- The hash: 64 lowercase hex digits (sha256).
SELECT throws_ok($$SELECT vestige.check_model_signature('test-model', 3, NULL)$$,
                 'VS006', NULL, 'a NULL hash should raise VS006');
SELECT throws_ok($$SELECT vestige.check_model_signature('test-model', 3, repeat('a', 63))$$,
                 'VS006', NULL, 'a hash of 63 hex digits should raise VS006');
SELECT throws_ok($$SELECT vestige.check_model_signature('test-model', 3, repeat('a', 65))$$,
                 'VS006', NULL, 'a hash of 65 hex digits should raise VS006');
SELECT throws_ok($$SELECT vestige.check_model_signature('test-model', 3, repeat('A', 64))$$,
                 'VS006', NULL, 'an upper-case hash should raise VS006 (64 lowercase hex digits expected)');
SELECT throws_ok($$SELECT vestige.check_model_signature('test-model', 3, repeat('g', 64))$$,
                 'VS006', NULL, 'a 64-character hash that is not hex should raise VS006');
SELECT throws_ok($$SELECT vestige.check_model_signature('test-model', 3, repeat('a', 63) || E'\n')$$,
                 'VS006', NULL, 'a hash with a trailing newline should raise VS006');
SELECT lives_ok($$SELECT vestige.check_model_signature('test-model', 3, '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef')$$,
                'a hash of 64 lowercase hex digits should pass');

-- The first failing check is reported: a bad name wins over a bad dimension and a bad hash.
SELECT throws_ok($$SELECT vestige.check_model_signature(NULL, NULL, NULL)$$,
                 'VS006', 'invalid model name NULL', 'with every field bad, the name should be reported first');

-- A passing signature writes nothing.
SELECT lives_ok($$SELECT vestige.check_model_signature('sentence-transformers/all-MiniLM-L6-v2', 384, repeat('a', 64))$$,
                'a typical signature (a model name with a slash, 384 dimensions) should pass');
SELECT is((SELECT count(*)::int FROM vestige.embedding_model), 0, 'checking a signature should not register anything');

-- A private helper: not callable by the application role.
RESET ROLE;
SELECT volatility_is('vestige', 'check_model_signature', ARRAY['text', 'integer', 'text'], 'immutable',
                     'check_model_signature should be immutable (it reads nothing)');
SELECT isnt_definer('vestige', 'check_model_signature', ARRAY['text', 'integer', 'text'],
                    'check_model_signature should be SECURITY INVOKER (a helper of the definer API)');
SET LOCAL ROLE vestige_app;
SELECT throws_ok($$SELECT vestige.check_model_signature('test-model', 3, repeat('a', 64))$$,
                 '42501', NULL, 'vestige_app should not be allowed to execute the private helper check_model_signature');

SELECT * FROM finish();
ROLLBACK;

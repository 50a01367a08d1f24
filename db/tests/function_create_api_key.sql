-- pgTAP: the operator key functions — create_api_key, list_api_keys, revoke_api_key.
BEGIN;
SELECT plan(20);

CREATE TEMP TABLE keys (name text PRIMARY KEY, id uuid NOT NULL);
SELECT vestige_test.user('a'), vestige_test.user('b');

INSERT INTO keys SELECT 'a1', k.id FROM vestige.create_api_key(vestige_test.user('a'), 'laptop', sha256('vst_a1'::bytea)) AS k;
SELECT results_eq($$SELECT user_id, handle, label, scopes, status, last_used_at, expires_at, revoked_at
                      FROM vestige.list_api_keys() WHERE id = (SELECT id FROM keys WHERE name = 'a1')$$,
                  $$VALUES (vestige_test.user('a'), 'a'::text, 'laptop'::text, '{read,write}'::text[], 'active'::text,
                            NULL::timestamptz, NULL::timestamptz, NULL::timestamptz)$$,
                  'a new key should be active, read and write, never used, not expiring');
INSERT INTO keys SELECT 'a2', k.id FROM vestige.create_api_key(vestige_test.user('a'), 'ci', sha256('vst_a2'::bytea), '{read}', now() + interval '90 days') AS k;
SELECT is((SELECT scopes FROM vestige.list_api_keys() WHERE id = (SELECT id FROM keys WHERE name = 'a2')), '{read}'::text[],
          'a read-only key should have scope read only');
INSERT INTO keys SELECT 'b1', k.id FROM vestige.create_api_key(vestige_test.user('b'), 'phone', sha256('vst_b1'::bytea)) AS k;
SELECT set_eq($$SELECT id FROM vestige.list_api_keys(vestige_test.user('a'))$$, $$SELECT id FROM keys WHERE name IN ('a1', 'a2')$$,
              'list_api_keys(user) should list that user''s keys only');
SELECT set_eq($$SELECT id FROM vestige.list_api_keys()$$, $$SELECT id FROM keys$$, 'list_api_keys() should list every key');
SELECT ok(NOT EXISTS (SELECT FROM pg_attribute WHERE attrelid = 'vestige.api_key_info'::regclass AND attname = 'key_hash'),
          'what the key functions return should have no hash column');
SELECT ok((SELECT key_hash = sha256('vst_a1'::bytea) FROM vestige.api_keys WHERE id = (SELECT id FROM keys WHERE name = 'a1')),
          'the stored hash should be the SHA-256 given');

-- The checks.
SELECT throws_ok($$SELECT * FROM vestige.create_api_key(vestige_test.user('a'), '', sha256('x'::bytea))$$, 'VS006', NULL, 'an empty label should raise VS006');
SELECT throws_ok($$SELECT * FROM vestige.create_api_key(vestige_test.user('a'), repeat('l', 101), sha256('x'::bytea))$$, 'VS006', NULL, 'a 101-character label should raise VS006');
SELECT throws_ok($$SELECT * FROM vestige.create_api_key(vestige_test.user('a'), E'a\nb', sha256('x'::bytea))$$, 'VS006', NULL, 'a label with a newline should raise VS006');
SELECT throws_ok($$SELECT * FROM vestige.create_api_key(vestige_test.user('a'), 'x', '\x00'::bytea)$$, 'VS006',
                 'invalid key hash: must be the 32-byte SHA-256 of the key', 'a hash that is not 32 bytes should raise VS006');
SELECT throws_ok($$SELECT * FROM vestige.create_api_key(vestige_test.user('a'), 'x', sha256('x'::bytea), '{write}')$$, 'VS006', NULL, 'scopes {write} should raise VS006');
SELECT throws_ok($$SELECT * FROM vestige.create_api_key(vestige_test.user('a'), 'x', sha256('x'::bytea), '{read,admin}')$$, 'VS006', NULL, 'an unknown scope should raise VS006');
SELECT throws_ok($$SELECT * FROM vestige.create_api_key(vestige_test.user('a'), 'x', sha256('x'::bytea), '{read}', now() - interval '1 s')$$, 'VS006', NULL, 'an expiry in the past should raise VS006');
SELECT throws_ok($$SELECT * FROM vestige.create_api_key('99999999-9999-4999-8999-999999999999', 'x', sha256('x'::bytea))$$, 'VS011', NULL, 'an unknown user should raise VS011');
SELECT throws_ok($$SELECT * FROM vestige.create_api_key(vestige_test.user('b'), 'x', sha256('vst_a1'::bytea))$$, 'VS013', NULL, 'a hash stored already should raise VS013');

-- Revoke.
SELECT is((SELECT status FROM vestige.revoke_api_key((SELECT id FROM keys WHERE name = 'a1'))), 'revoked', 'revoke_api_key should revoke');
SELECT is((SELECT revoked_at FROM vestige.revoke_api_key((SELECT id FROM keys WHERE name = 'a1'))),
          (SELECT revoked_at FROM vestige.api_keys WHERE id = (SELECT id FROM keys WHERE name = 'a1')), 'revoking again should change nothing');
SELECT throws_ok($$SELECT * FROM vestige.revoke_api_key('99999999-9999-4999-8999-999999999999')$$, 'VS008', NULL, 'an unknown key should raise VS008');
UPDATE vestige.api_keys SET created_at = now() - interval '2 days', expires_at = now() - interval '1 day' WHERE id = (SELECT id FROM keys WHERE name = 'a2');
SELECT is((SELECT status FROM vestige.list_api_keys() WHERE id = (SELECT id FROM keys WHERE name = 'a2')), 'expired', 'a key past its expiry should be listed as expired');
SELECT ok(NOT has_function_privilege('vestige_app', 'vestige.create_api_key(uuid, text, bytea, text[], timestamptz)', 'EXECUTE')
          AND NOT has_function_privilege('vestige_app', 'vestige.list_api_keys(uuid)', 'EXECUTE')
          AND NOT has_function_privilege('vestige_app', 'vestige.revoke_api_key(uuid)', 'EXECUTE')
          AND NOT has_table_privilege('vestige_app', 'vestige.api_keys', 'SELECT'),
          'the key functions and table are the operator''s: vestige_app should have none of them');

SELECT * FROM finish();
ROLLBACK;

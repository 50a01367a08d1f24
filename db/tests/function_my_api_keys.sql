-- pgTAP: vestige.my_api_keys and vestige.revoke_my_api_key — the caller's own keys only.
BEGIN;
SELECT plan(6);

CREATE TEMP TABLE keys (name text PRIMARY KEY, id uuid NOT NULL);
GRANT SELECT ON keys TO vestige_app;
SELECT vestige_test.user('a'), vestige_test.user('b');
INSERT INTO keys SELECT 'a1', k.id FROM vestige.create_api_key(vestige_test.user('a'), 'laptop', sha256('vst_a1'::bytea)) AS k;
INSERT INTO keys SELECT 'b1', k.id FROM vestige.create_api_key(vestige_test.user('b'), 'phone', sha256('vst_b1'::bytea)) AS k;

SET LOCAL ROLE vestige_app;
SELECT throws_ok($$SELECT * FROM vestige.my_api_keys()$$, 'VS001', NULL, 'my_api_keys without a caller identity should raise VS001');
SELECT vestige_test.act_as(vestige_test.user('a'));
SELECT results_eq($$SELECT id, label, status FROM vestige.my_api_keys()$$,
                  $$SELECT id, 'laptop'::text, 'active'::text FROM keys WHERE name = 'a1'$$, 'my_api_keys should list the caller''s keys only');
SELECT throws_ok(format('SELECT * FROM vestige.revoke_my_api_key(%L)', (SELECT id FROM keys WHERE name = 'b1')), 'VS008', NULL,
                 'revoking another user''s key should be not found');
SELECT throws_ok($$SELECT * FROM vestige.revoke_my_api_key('99999999-9999-4999-8999-999999999999')$$, 'VS008', NULL,
                 'revoking a key that does not exist should be not found');
SELECT is((SELECT status FROM vestige.revoke_my_api_key((SELECT id FROM keys WHERE name = 'a1'))), 'revoked', 'the caller should revoke their own key');
RESET ROLE;
SELECT is((SELECT revoked_at IS NULL FROM vestige.api_keys WHERE id = (SELECT id FROM keys WHERE name = 'b1')), true, 'b''s key should be untouched');

SELECT * FROM finish();
ROLLBACK;

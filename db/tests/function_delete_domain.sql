-- pgTAP: vestige.delete_domain — delete by id; missing, malformed and anonymous calls change nothing.
BEGIN;
SELECT plan(9);

-- Fixtures (superuser): the 3-d model, two users, three domains, a memory tagged with one.
CREATE TEMP TABLE ids (name text PRIMARY KEY, id uuid NOT NULL);
GRANT SELECT ON ids TO vestige_app;
CREATE FUNCTION pg_temp.m(p_name text) RETURNS uuid
LANGUAGE sql STABLE AS $$ SELECT i.id FROM ids AS i WHERE i.name = p_name $$;
INSERT INTO ids VALUES ('alice', vestige_test.user('alice')), ('bob', vestige_test.user('bob'));
SELECT vestige_test.register_model();
INSERT INTO vestige.domains (id, label, centroid) VALUES
    ('art', 'Art', NULL), ('music', 'Music', '[0,1,0]'), ('zoology', 'Zoology', '[0,0,1]');
INSERT INTO ids SELECT 'tagged', vestige_test.memory(pg_temp.m('alice'), 'a tagged memory');
UPDATE vestige.knowledge_nodes SET domains = '{music}' WHERE id = pg_temp.m('tagged');

SET LOCAL ROLE vestige_app;
SELECT vestige_test.act_as(pg_temp.m('alice'));

SELECT lives_ok($$SELECT vestige.delete_domain(p_id => 'music')$$, 'an identified caller should delete a domain');
SELECT throws_ok($$SELECT vestige.delete_domain(p_id => 'music')$$,
                 'VS008', NULL, 'deleting the same domain again should report it as not found');

SELECT vestige_test.act_as(pg_temp.m('bob'));
SELECT lives_ok($$SELECT vestige.delete_domain(p_id => 'art')$$,
                'another user should delete a deployment-wide domain');
SELECT throws_ok($$SELECT vestige.delete_domain(p_id => 'gardening')$$,
                 'VS008', NULL, 'an unknown domain should be reported as not found');
SELECT throws_ok($$SELECT vestige.delete_domain(p_id => 'Zoology!')$$,
                 'VS006', NULL, 'a malformed domain id should be refused');
SELECT throws_ok($$SELECT vestige.delete_domain(p_id => NULL)$$,
                 'VS006', NULL, 'a NULL domain id should be refused');
SELECT vestige_test.act_as(NULL);
SELECT throws_ok($$SELECT vestige.delete_domain(p_id => 'zoology')$$,
                 'VS001', NULL, 'a call without caller identity should be refused');

RESET ROLE;
SELECT results_eq($$SELECT id FROM vestige.domains ORDER BY id$$, $$VALUES ('zoology'::text)$$,
                  'only the deleted domains should be gone: the refused calls changed nothing');
SELECT is((SELECT domains FROM vestige.knowledge_nodes WHERE id = pg_temp.m('tagged')), '{music}'::text[],
          'memories should keep the domain ids they carry');

SELECT * FROM finish();
ROLLBACK;

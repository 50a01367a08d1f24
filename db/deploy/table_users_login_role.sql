-- Deploy vestige:table_users_login_role
-- A personal login: the PostgreSQL login role whose sessions are always this user (set by the
-- operator function vestige.bind_login). Stored by name, so a dump restored into another
-- cluster keeps its bindings; a renamed role loses its binding (and so its identity: fail closed).

BEGIN;
SET LOCAL ROLE vestige_owner;

ALTER TABLE vestige.users ADD COLUMN login_role text UNIQUE;

COMMENT ON COLUMN vestige.users.login_role IS 'The login role bound to this user (vestige.bind_login): its sessions are always this user. NULL: none.';

COMMIT;

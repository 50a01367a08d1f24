-- Deploy vestige:table_users
-- The people (or agents) memories belong to. The bootstrap user 0000…0001 (handle `local`)
-- is the identity of a single-user install.

BEGIN;
SET LOCAL ROLE vestige_owner;

CREATE TABLE vestige.users (
    id           uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    handle       text        NOT NULL UNIQUE CHECK (handle ~ '^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$'),
    display_name text,
    created_at   timestamptz NOT NULL DEFAULT now()
);

INSERT INTO vestige.users (id, handle, display_name)
VALUES ('00000000-0000-0000-0000-000000000001', 'local', 'Local user');

COMMENT ON TABLE vestige.users IS 'Users that own memories; the bootstrap user 00000000-0000-0000-0000-000000000001 (handle local) serves single-user installs.';
COMMENT ON COLUMN vestige.users.handle IS 'Unique short name: letters, digits and _ . @ -, at most 64 characters.';

COMMIT;

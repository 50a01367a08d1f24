-- Revert vestige:role_vestige_app
-- Roles are cluster-wide and may serve other databases: revert leaves vestige_app in place.

BEGIN;
COMMIT;

-- A neutralised copy of a database must not talk to the production remotes: pause every
-- connection, forget the database identity it was activated in, drop stored credentials and
-- cached tokens (so no token is requested with production credentials either).
UPDATE ml_connector_backend
   SET state = 'paused',
       database_uuid = 'neutralized',
       paused_reason = 'Neutralised database: credentials removed, activate again after entering test credentials.';
DELETE FROM ml_connector_secret;
UPDATE ir_cron SET active = FALSE
 WHERE id IN (SELECT cron_id FROM ml_connector_backend WHERE cron_id IS NOT NULL);

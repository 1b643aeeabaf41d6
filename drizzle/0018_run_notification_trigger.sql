-- The notification outbox is written by the statement that ends a run: every UPDATE of
-- workflow_runs (applyCommands, the reconciler, anything to come) that leaves a run in a
-- terminal status inserts one notification_deliveries row per webhook of its definition (or
-- of the schedule that started it) listening for that event. Same statement, same
-- transaction: a run cannot end without its deliveries, and a crash loses none.
-- Statement-level with a transition table, as the run count triggers: a decision that ends
-- nothing costs one scan of its few new rows. A terminal run updated again (an instance
-- stamp, a flag) meets the unique key and adds nothing; a rerun that ends again ends at
-- another time, which is another event. Only the runs of the webhook's own org: a run another org
-- started from the shared catalog is that org's, and is not told to the catalog's webhooks.
CREATE FUNCTION enqueue_run_notifications() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO notification_deliveries (webhook_id, org_id, run_id, event, occurred_at, url, next_attempt_at, created_at)
  SELECT w.id, r.org_id, r.id, e.event, r.end_time, w.url, now(), now()
    FROM new_runs r
   CROSS JOIN LATERAL (SELECT CASE WHEN r.status IN (-1, 4) THEN 'FAIL' WHEN r.status = 7 THEN 'TIMEOUT'
                                   WHEN r.status = 1 THEN 'SUCCESS' ELSE 'CANCEL' END AS event) e
    JOIN notification_webhooks w ON w.definition_id = r.definition_id AND w.org_id = r.org_id AND e.event = ANY (w.events)
   WHERE r.status IN (-1, 1, 4, 7, 8) AND r.end_time IS NOT NULL
     AND (w.schedule_name = ''
          OR w.schedule_id = (SELECT f.schedule_id FROM schedule_firings f WHERE f.run_id = r.id LIMIT 1))
  ON CONFLICT (webhook_id, run_id, event, occurred_at) DO NOTHING;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER workflow_runs_notify AFTER UPDATE ON workflow_runs
  REFERENCING NEW TABLE AS new_runs FOR EACH STATEMENT EXECUTE FUNCTION enqueue_run_notifications();

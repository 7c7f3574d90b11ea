-- Stores one snapshot of a run's progress (event 'progress') or its last word ('done') and notifies
-- the API processes, unless a snapshot of the same run numbered the same or later is stored already
-- (a run's steps may finish out of order; a late, older snapshot is dropped). A progress snapshot
-- also moves the running record's phase, message and percentage. One statement for the caller, so
-- one round trip and no transaction of its own. The task's advisory lock (the one every writer of
-- its events takes) makes its rows commit in id order; the function is VOLATILE, so under READ
-- COMMITTED the check after the lock sees every snapshot committed while it waited.
CREATE FUNCTION "publish_task_snapshot"(
  p_task_id text, p_event text, p_data jsonb, p_run_id text, p_seq integer,
  p_phase text, p_message text, p_percentage integer, p_channel text
) RETURNS integer AS $$
DECLARE
  stored_id integer;
BEGIN
  PERFORM pg_advisory_xact_lock(7461, hashtext(p_task_id));
  IF EXISTS (SELECT 1 FROM task_events WHERE task_id = p_task_id AND run_id = p_run_id AND seq >= p_seq) THEN
    RETURN NULL;
  END IF;
  INSERT INTO task_events (task_id, event, data, run_id, seq)
  VALUES (p_task_id, p_event, p_data, p_run_id, p_seq)
  RETURNING id INTO stored_id;
  PERFORM pg_notify(p_channel, stored_id::text || ' ' || p_task_id);
  IF p_event = 'progress' THEN
    UPDATE ai_task_logs SET phase = p_phase, message = p_message, percentage = p_percentage, updated_at = now()
    WHERE task_id = p_task_id AND status = 'pending';
  END IF;
  RETURN stored_id;
END;
$$ LANGUAGE plpgsql VOLATILE;

-- Aborts the statement that calls it: applyCommands calls it when a conditional write of a
-- decision matched fewer rows than decided, so the decision's other writes in the same
-- statement are undone with it. A decision made without a lock is written by one statement
-- outside any transaction; this is what keeps it all-or-nothing. Raised under a SQLSTATE of
-- flowline's own, which the engine reads as "state moved: decide again".
CREATE FUNCTION flowline_stale_decision(detail text) RETURNS int LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '%', detail USING ERRCODE = 'FL409';
END
$$;

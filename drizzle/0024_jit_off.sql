-- No JIT for this database's sessions. Its statements are short OLTP writes whose estimated
-- cost grows with the number of history partitions (each reference to a partitioned table
-- adds every partition's scan to the estimate): past jit_above_cost (100,000 by default),
-- Postgres compiled a decision's statement with LLVM on each execution — 3,885 functions,
-- 4 s a statement with 55 weekly partitions (a year of history), for work of a few ms.
-- A database setting reaches every new session, through PgBouncer too. A role that does not
-- own the database cannot set it: the migration goes on, and says what to run instead.
DO $$
BEGIN
  EXECUTE format('ALTER DATABASE %I SET jit = off', current_database());
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'flowline: JIT left on (not the owner of database %): run ALTER DATABASE % SET jit = off as its owner', current_database(), current_database();
END
$$;

ALTER TABLE "node_runs" DROP CONSTRAINT "node_runs_run_id_workflow_runs_id_fk";

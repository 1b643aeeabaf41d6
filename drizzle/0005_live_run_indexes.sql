DROP INDEX "workflow_runs_org_seq";--> statement-breakpoint
DROP INDEX "workflow_runs_org_workflow_seq";--> statement-breakpoint
DROP INDEX "workflow_runs_org_status_seq";--> statement-breakpoint
CREATE INDEX "workflow_runs_org_seq" ON "workflow_runs" USING btree ("org_id","seq" DESC NULLS LAST) WHERE "workflow_runs"."deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX "workflow_runs_org_workflow_seq" ON "workflow_runs" USING btree ("org_id","workflow_name","seq" DESC NULLS LAST) WHERE "workflow_runs"."deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX "workflow_runs_org_status_seq" ON "workflow_runs" USING btree ("org_id","status","seq" DESC NULLS LAST) WHERE "workflow_runs"."deleted_at" IS NULL;
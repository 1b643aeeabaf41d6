CREATE TABLE "audit_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "audit_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"at" timestamp with time zone NOT NULL,
	"org_id" text,
	"principal_id" uuid,
	"principal_name" text,
	"role" text,
	"action" text NOT NULL,
	"target" text DEFAULT '' NOT NULL,
	"surface" text NOT NULL,
	"address" text NOT NULL,
	"method" text NOT NULL,
	"route" text NOT NULL,
	"http_status" smallint NOT NULL,
	"outcome" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "backfills" (
	"id" uuid PRIMARY KEY NOT NULL,
	"schedule_id" bigint NOT NULL,
	"org_id" text NOT NULL,
	"from_time" timestamp with time zone NOT NULL,
	"to_time" timestamp with time zone NOT NULL,
	"max_concurrent" integer NOT NULL,
	"status" text NOT NULL,
	"cursor" timestamp with time zone,
	"total" integer NOT NULL,
	"started" integer DEFAULT 0 NOT NULL,
	"skipped" integer DEFAULT 0 NOT NULL,
	"requested_by" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "bulk_operations" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"action" text NOT NULL,
	"selector" jsonb NOT NULL,
	"status" text NOT NULL,
	"total" integer NOT NULL,
	"processed" integer DEFAULT 0 NOT NULL,
	"succeeded" integer DEFAULT 0 NOT NULL,
	"skipped" integer DEFAULT 0 NOT NULL,
	"failed" integer DEFAULT 0 NOT NULL,
	"cursor" bigint DEFAULT 0 NOT NULL,
	"up_to_seq" bigint,
	"errors" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"requested_by" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "notification_attempts" (
	"delivery_id" uuid NOT NULL,
	"attempt" integer NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"ended_at" timestamp with time zone NOT NULL,
	"http_status" smallint,
	"error" text,
	"sender" text NOT NULL,
	CONSTRAINT "notification_attempts_pkey" PRIMARY KEY("delivery_id","attempt")
);
--> statement-breakpoint
CREATE TABLE "notification_deliveries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"webhook_id" uuid NOT NULL,
	"org_id" text NOT NULL,
	"run_id" uuid NOT NULL,
	"event" text NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"url" text NOT NULL,
	"status" text DEFAULT 'PENDING' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone NOT NULL,
	"last_error" text,
	"payload" jsonb,
	"created_at" timestamp with time zone NOT NULL,
	"delivered_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "notification_webhooks" (
	"id" uuid PRIMARY KEY NOT NULL,
	"definition_id" bigint NOT NULL,
	"schedule_name" text DEFAULT '' NOT NULL,
	"schedule_id" bigint,
	"org_id" text NOT NULL,
	"url" text NOT NULL,
	"events" text[] NOT NULL,
	"secret_sealed" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sla_misses" (
	"run_id" uuid PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"workflow_name" text NOT NULL,
	"deadline" timestamp with time zone NOT NULL,
	"detected_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sla_policies" (
	"definition_id" bigint NOT NULL,
	"schedule_name" text DEFAULT '' NOT NULL,
	"schedule_id" bigint,
	"finish_within_ms" bigint NOT NULL,
	CONSTRAINT "sla_policies_pkey" PRIMARY KEY("definition_id","schedule_name")
);
--> statement-breakpoint
ALTER TABLE "backfills" ADD CONSTRAINT "backfills_schedule_id_schedules_id_fk" FOREIGN KEY ("schedule_id") REFERENCES "public"."schedules"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification_webhooks" ADD CONSTRAINT "notification_webhooks_definition_id_definitions_id_fk" FOREIGN KEY ("definition_id") REFERENCES "public"."definitions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification_webhooks" ADD CONSTRAINT "notification_webhooks_schedule_id_schedules_id_fk" FOREIGN KEY ("schedule_id") REFERENCES "public"."schedules"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sla_policies" ADD CONSTRAINT "sla_policies_definition_id_definitions_id_fk" FOREIGN KEY ("definition_id") REFERENCES "public"."definitions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sla_policies" ADD CONSTRAINT "sla_policies_schedule_id_schedules_id_fk" FOREIGN KEY ("schedule_id") REFERENCES "public"."schedules"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_events_org_id" ON "audit_events" USING btree ("org_id","id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "backfills_running" ON "backfills" USING btree ("created_at") WHERE "backfills"."status" = 'RUNNING';--> statement-breakpoint
CREATE INDEX "backfills_schedule" ON "backfills" USING btree ("schedule_id","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "bulk_operations_running" ON "bulk_operations" USING btree ("created_at") WHERE "bulk_operations"."status" = 'RUNNING';--> statement-breakpoint
CREATE INDEX "bulk_operations_org_created" ON "bulk_operations" USING btree ("org_id","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE UNIQUE INDEX "notification_deliveries_event" ON "notification_deliveries" USING btree ("webhook_id","run_id","event","occurred_at");--> statement-breakpoint
CREATE INDEX "notification_deliveries_due" ON "notification_deliveries" USING btree ("next_attempt_at") WHERE "notification_deliveries"."status" = 'PENDING';--> statement-breakpoint
CREATE INDEX "notification_deliveries_run" ON "notification_deliveries" USING btree ("run_id");--> statement-breakpoint
CREATE UNIQUE INDEX "notification_webhooks_scope_url" ON "notification_webhooks" USING btree ("definition_id","schedule_name","url");--> statement-breakpoint
CREATE INDEX "schedule_firings_run" ON "schedule_firings" USING btree ("run_id") WHERE "schedule_firings"."run_id" IS NOT NULL;
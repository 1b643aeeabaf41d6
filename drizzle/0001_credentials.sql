CREATE TABLE "credentials" (
	"id" uuid PRIMARY KEY NOT NULL,
	"principal_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"name" text DEFAULT '' NOT NULL,
	"access_key" text,
	"secret_hash" text,
	"secret_sealed" text,
	"expires_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "principals" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"name" text NOT NULL,
	"role" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "credentials" ADD CONSTRAINT "credentials_principal_id_principals_id_fk" FOREIGN KEY ("principal_id") REFERENCES "public"."principals"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "credentials_secret_hash" ON "credentials" USING btree ("secret_hash") WHERE "credentials"."secret_hash" IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "credentials_kind_access_key" ON "credentials" USING btree ("kind","access_key") WHERE "credentials"."access_key" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "credentials_principal" ON "credentials" USING btree ("principal_id");
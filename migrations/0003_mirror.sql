CREATE TABLE "mirror_audit" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"table_key" text NOT NULL,
	"record_id" text NOT NULL,
	"action" text NOT NULL,
	"source" text NOT NULL,
	"before" jsonb,
	"after" jsonb,
	"bitable_modified_at" timestamp with time zone,
	"operator_open_id" text,
	"event_id" text,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "mirror_base" (
	"id" text PRIMARY KEY DEFAULT 'default' NOT NULL,
	"app_token" text NOT NULL,
	"name" text NOT NULL,
	"url" text,
	"default_table_id" text,
	"provisioned_at" timestamp with time zone DEFAULT now() NOT NULL,
	"subscribed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "mirror_fields" (
	"table_key" text NOT NULL,
	"field_key" text NOT NULL,
	"field_id" text NOT NULL,
	"field_name" text NOT NULL,
	"type" integer NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "mirror_fields_table_key_field_key_pk" PRIMARY KEY("table_key","field_key")
);
--> statement-breakpoint
CREATE TABLE "mirror_tables" (
	"table_key" text PRIMARY KEY NOT NULL,
	"app_token" text NOT NULL,
	"table_id" text NOT NULL,
	"name" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "mirror_tables_table_id_key" UNIQUE("app_token","table_id")
);
--> statement-breakpoint
CREATE TABLE "mirror_views" (
	"table_key" text NOT NULL,
	"view_key" text NOT NULL,
	"view_id" text NOT NULL,
	"view_name" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "mirror_views_table_key_view_key_pk" PRIMARY KEY("table_key","view_key")
);
--> statement-breakpoint
CREATE INDEX "mirror_audit_record_idx" ON "mirror_audit" USING btree ("table_key","record_id");--> statement-breakpoint
CREATE INDEX "mirror_audit_at_idx" ON "mirror_audit" USING btree ("at");
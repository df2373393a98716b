CREATE TABLE "directory_setting_problems" (
	"table_key" text NOT NULL,
	"record_id" text NOT NULL,
	"field" text NOT NULL,
	"value" text NOT NULL,
	"message" text NOT NULL,
	"told_open_ids" text[] DEFAULT '{}'::text[] NOT NULL,
	"told_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "directory_setting_problems_table_key_record_id_field_value_pk" PRIMARY KEY("table_key","record_id","field","value")
);
--> statement-breakpoint
CREATE TABLE "directory_setting_rows" (
	"table_key" text NOT NULL,
	"record_id" text NOT NULL,
	"values" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "directory_setting_rows_table_key_record_id_pk" PRIMARY KEY("table_key","record_id")
);

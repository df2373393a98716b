CREATE TABLE "core_settings_version" (
	"id" smallint PRIMARY KEY DEFAULT 1 NOT NULL,
	"version" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
INSERT INTO "core_settings_version" ("id", "version") VALUES (1, 0) ON CONFLICT DO NOTHING;--> statement-breakpoint
CREATE OR REPLACE FUNCTION core_settings_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "core_settings_version" SET "version" = "version" + 1 WHERE "id" = 1;
  PERFORM pg_notify('core_settings', '');
  RETURN NULL;
END;
$$;--> statement-breakpoint
CREATE TRIGGER "directory_settings_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "directory_settings" FOR EACH STATEMENT EXECUTE FUNCTION core_settings_changed();

ALTER TABLE "contracts_approval_steps" ADD COLUMN "escalated_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "contracts_approval_steps" ADD COLUMN "escalated_to" text;
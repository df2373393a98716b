ALTER TABLE "contracts_payments" ADD COLUMN "risk_level" text;--> statement-breakpoint
ALTER TABLE "contracts_payments" ADD COLUMN "bitable_record_id" text;
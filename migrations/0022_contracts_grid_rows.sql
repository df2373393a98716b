ALTER TABLE "contracts_budgets" ADD COLUMN "bitable_record_id" text;--> statement-breakpoint
ALTER TABLE "contracts_counterparties" ADD COLUMN "blacklist_reason" text;--> statement-breakpoint
ALTER TABLE "contracts_counterparties" ADD COLUMN "watch_reason" text;--> statement-breakpoint
ALTER TABLE "contracts_counterparties" ADD COLUMN "bitable_record_id" text;--> statement-breakpoint
CREATE UNIQUE INDEX "contracts_budgets_record_idx" ON "contracts_budgets" USING btree ("bitable_record_id");--> statement-breakpoint
CREATE UNIQUE INDEX "contracts_counterparties_record_idx" ON "contracts_counterparties" USING btree ("bitable_record_id");
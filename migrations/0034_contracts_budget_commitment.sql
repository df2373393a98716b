ALTER TABLE "contracts_contracts" ADD COLUMN "budget_committed_fen" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
-- What each contract holds of its budget line (service/commitment.ts): its amount while in force, its standing payments
-- (waiting for approval, approved, paid) once ended, nothing before approval. Until now a contract's amount stayed in
-- 已占用 after it expired or was renewed, and auto-renewals committed nothing: each line's 已占用 is recomputed from
-- the contracts (the bot's column; the 预算 rows follow at the next reconcile).
UPDATE "contracts_contracts" c SET "budget_committed_fen" = CASE
  WHEN c."state" IN ('active', 'expiring') THEN c."amount_cny_fen"
  WHEN c."state" IN ('expired', 'terminated', 'renewed') THEN least(c."amount_cny_fen", coalesce((
    SELECT sum(p."amount_fen") FROM "contracts_payments" p
     WHERE p."contract_id" = c."id" AND p."state" IN ('pending_approval', 'approved', 'paid')), 0))
  ELSE 0 END
WHERE c."budget_id" IS NOT NULL;--> statement-breakpoint
UPDATE "contracts_budgets" b SET "committed_fen" = coalesce((
  SELECT sum(c."budget_committed_fen") FROM "contracts_contracts" c WHERE c."budget_id" = b."id"), 0);

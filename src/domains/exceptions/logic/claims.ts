import { z } from 'zod';

/** When a recovery claim counts as stale, and how often its owner hears of it. */
export const ClaimPolicy = z.object({
  /** A claim with no activity for this many days is stale. */
  staleAfterDays: z.number().int().positive().default(3),
  /** Remind its owner at most this often. */
  remindEveryDays: z.number().int().positive().default(1),
});
export type ClaimPolicy = z.infer<typeof ClaimPolicy>;

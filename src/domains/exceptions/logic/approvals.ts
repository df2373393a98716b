import { z } from 'zod';
import { bi, err, ok, type Bilingual, type DomainProblem, type Result } from '../../shared/bilingual.js';
import { ApproverRole } from './case.js';
import { Fen } from './money.js';

export const APPROVER_LABELS: Readonly<Record<ApproverRole | 'auto', Bilingual>> = {
  auto: bi('自动通过', 'Automatic'),
  lead: bi('组长', 'Team lead'),
  manager: bi('经理', 'Manager'),
  finance_director: bi('财务总监', 'Finance director'),
};

/** Amounts up to and including `upToFen` need `approver`; the last band has no upper bound. */
export const ApprovalBand = z.object({
  upToFen: Fen.nullable(),
  approver: z.union([z.literal('auto'), ApproverRole]),
});
export type ApprovalBand = z.infer<typeof ApprovalBand>;

export const ApprovalBands = z
  .array(ApprovalBand)
  .min(1)
  .superRefine((bands, ctx) => {
    bands.forEach((band, i) => {
      const last = i === bands.length - 1;
      if (last !== (band.upToFen === null)) {
        ctx.addIssue({
          code: 'custom',
          message: 'only the last band is open-ended (upToFen: null)',
          path: [i, 'upToFen'],
        });
      }
      const prev = bands[i - 1]?.upToFen;
      if (prev != null && band.upToFen !== null && band.upToFen <= prev) {
        ctx.addIssue({ code: 'custom', message: 'bands must rise in amount', path: [i, 'upToFen'] });
      }
    });
  });
export type ApprovalBands = z.infer<typeof ApprovalBands>;

const DEFAULT_BANDS: ApprovalBands = [
  { upToFen: 200_00, approver: 'auto' },
  { upToFen: 2_000_00, approver: 'lead' },
  { upToFen: 10_000_00, approver: 'manager' },
  { upToFen: null, approver: 'finance_director' },
];

/** Bands per purpose: refunds to customers and compensation (赔付) may differ. */
export const ApprovalConfig = z
  .object({
    refund: ApprovalBands.default(DEFAULT_BANDS),
    compensation: ApprovalBands.default(DEFAULT_BANDS),
  })
  .default({ refund: DEFAULT_BANDS, compensation: DEFAULT_BANDS });
export type ApprovalConfig = z.infer<typeof ApprovalConfig>;
export const DEFAULT_APPROVAL_CONFIG: ApprovalConfig = ApprovalConfig.parse(undefined);

export type AmountProblem = DomainProblem<'invalid_amount'>;

/** The approver an amount (in fen) needs, or 'auto' when it may go through without one. */
export function requiredApprover(
  bands: ApprovalBands,
  amountFen: number,
): Result<ApproverRole | 'auto', AmountProblem> {
  if (!Fen.safeParse(amountFen).success) {
    return err({
      code: 'invalid_amount',
      message: bi('金额须为非负整数（分）', 'The amount must be a non-negative whole number of fen'),
    });
  }
  const band = bands.find((b) => b.upToFen === null || amountFen <= b.upToFen) ?? bands[bands.length - 1]!;
  return ok(band.approver);
}

const LADDER: readonly ApproverRole[] = ['lead', 'manager', 'finance_director'];

/** Where 升级 Escalate sends a pending approval: the next role up, or null at the top. */
export function nextApproverRole(role: ApproverRole): ApproverRole | null {
  return LADDER[LADDER.indexOf(role) + 1] ?? null;
}

/** Only the designated role may decide (the issue's rule; a manager does not stand in for a lead). */
export function mayDecide(designated: ApproverRole, actorRoles: readonly string[]): boolean {
  return actorRoles.includes(designated);
}

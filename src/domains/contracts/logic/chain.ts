import { z } from 'zod';
import { APPROVER_ROLES, ApproverRole, ContractType } from './contract.js';

/** One row of the chain: for `type` (all types when absent) and amounts in [minFen, maxFen), `role` approves. */
export const ChainBand = z.object({
  type: ContractType.optional(),
  minFen: z.number().int().nonnegative().default(0),
  maxFen: z.number().int().positive().nullable().default(null),
  role: ApproverRole,
});
export type ChainBand = z.infer<typeof ChainBand>;

const yuan = (n: number) => n * 100;

/**
 * Built-in chain: legal always; finance from ¥50,000; manager from ¥200,000; CEO from ¥1,000,000; an NDA is legal only.
 */
export const DEFAULT_CHAIN: ChainBand[] = [
  { minFen: 0, maxFen: null, role: 'legal' },
  { minFen: yuan(50_000), maxFen: null, role: 'finance' },
  { minFen: yuan(200_000), maxFen: null, role: 'manager' },
  { minFen: yuan(1_000_000), maxFen: null, role: 'general_manager' },
  { type: 'nda', minFen: 0, maxFen: null, role: 'legal' },
];

export const ApprovalChain = z.object({ bands: z.array(ChainBand).default(DEFAULT_CHAIN) });
export type ApprovalChain = z.infer<typeof ApprovalChain>;

/**
 * The roles that approve a contract of `type` and `amountFen`, in chain order (legal → finance →
 * manager → CEO). A type with rows of its own uses only those; other types use the rows for all.
 */
export function chainFor(
  chain: ApprovalChain,
  type: string,
  amountFen: number,
  options: { riskOverride?: boolean } = {},
): ApproverRole[] {
  const own = chain.bands.filter((b) => b.type === type);
  const rows = own.length > 0 ? own : chain.bands.filter((b) => b.type === undefined);
  const roles = new Set(
    rows.filter((b) => amountFen >= b.minFen && (b.maxFen === null || amountFen < b.maxFen)).map((b) => b.role),
  );
  if (options.riskOverride) roles.add('risk_override');
  if (roles.size === 0) roles.add('legal'); // a contract is never signed without anyone looking
  return APPROVER_ROLES.filter((r) => roles.has(r));
}

import { addBusinessMinutes, buildBusinessCalendar } from '../shared/business-calendar.js';
import type { Directory } from '../directory/service.js';
import type { ExceptionService } from './service/index.js';
import { DEFAULT_KINDS } from './logic/kinds.js';

/**
 * Two weeks of exception cases for the demo tenant, played through the real service with a
 * simulated clock, so reports and the dashboard show a lived-in picture. `service` is one whose
 * follow-ups (cards, DMs) are dropped: the history sends nothing. Only into an empty case table.
 */
export async function playDemoHistory(
  deps: {
    service: ExceptionService;
    directory: Directory;
    countCases: () => Promise<number>;
    timeZone: string;
    log: { warn(obj: object, msg: string): void };
  },
  now: Date,
  count = 48,
): Promise<number> {
  if ((await deps.countCases()) > 0) return 0;
  const { service, directory } = deps;
  const random = mulberry32(20261125);
  const cal = buildBusinessCalendar({ timeZone: deps.timeZone });
  let made = 0;
  for (let i = 0; i < count; i++) {
    // Spread over the last two weeks, oldest first, opened inside working hours.
    const start = new Date(now.getTime() - (1 - i / count) * 14 * 86_400_000);
    const t0 = addBusinessMinutes(cal, start, Math.floor(random() * 400));
    if (t0 >= now) continue;
    try {
      await playCase(service, directory, random, t0, now, i);
      made++;
    } catch (err) {
      deps.log.warn({ err, i }, 'demo case skipped');
    }
  }
  return made;
}

const CHANNELS = ['tmall', 'jd', 'douyin', 'store', 'private'] as const;
const PREFIX: Record<string, string> = { tmall: 'TM', jd: 'JD', douyin: 'DY', store: 'ST', private: 'WX' };

async function playCase(
  service: ExceptionService,
  directory: Directory,
  random: () => number,
  t0: Date,
  now: Date,
  i: number,
): Promise<void> {
  const kind = pick(random, DEFAULT_KINDS);
  const channel = pick(random, CHANNELS);
  const orderNo = `${PREFIX[channel]}2026${String(110000 + i * 37).padStart(6, '0')}`;
  const amount = Math.round((30 + random() * 1500) * 100);
  const hasNumber = random() < 0.4;
  const created = await service.create(
    {
      source: 'demo',
      externalId: `demo-${i}`,
      kind: kind.id,
      orderNo,
      channel,
      amountAtRiskFen: amount,
      fields: hasNumber ? { tracking_number: sfNumber(random) } : {},
      description: `演示数据 Demo case ${i + 1}`,
      platformDueAt: kind.id === 'refund_dispute' ? new Date(t0.getTime() + 48 * 3_600_000) : null,
    },
    t0,
  );
  const c = created.case;
  const owner = c.ownerOpenId;
  if (!owner) return;
  type Step = [minutesAfterOpening: number, run: (when: Date) => Promise<unknown>];
  const steps: Step[] = [];
  if (c.state === 'waiting_warehouse' && c.warehouseOpenId) {
    const warehouse = c.warehouseOpenId;
    const values = Object.fromEntries(
      (kind.requiredFields ?? []).filter((f) => f.endsWith('tracking_number')).map((f) => [f, sfNumber(random)]),
    );
    steps.push([20 + random() * 200, (when) => service.fill(c.id, values, warehouse, when)]);
  } else {
    steps.push([5 + random() * 60, (when) => service.act(c.id, { verb: 'start' }, owner, when)]);
  }
  // Most cases close inside the 1-day target, some take two or three days.
  const cycle = random() < 0.8 ? 120 + random() * 900 : 1500 + random() * 2500;
  if (kind.id === 'refund_dispute' || random() < 0.3) {
    steps.push([cycle * 0.5, (when) => approveRefund(service, directory, c.id, Math.round(amount * 0.6), owner, when)]);
  }
  if (kind.id === 'lost' || kind.id === 'damaged') {
    const recovered = random() < 0.6 ? Math.round(amount * (random() < 0.5 ? 1 : 0.5)) : 0;
    steps.push([
      cycle * 0.6,
      async (when) => {
        const claim = await service.openClaim(
          c.id,
          { counterpartyType: 'carrier', counterparty: '顺丰速运 SF Express', claimFen: amount },
          owner,
          when,
        );
        if (recovered > 0) await service.recordRecovery(claim.id, { recoveredFen: recovered }, owner, when);
      },
    ]);
  }
  const outcome = kind.id === 'refund_dispute' ? (random() < 0.65 ? 'won' : 'lost') : undefined;
  steps.push([cycle, (when) => service.act(c.id, { verb: 'resolve', ...(outcome ? { outcome } : {}) }, owner, when)]);
  steps.push([cycle + 600, (when) => service.act(c.id, { verb: 'close' }, owner, when)]);
  // The last three days' cases stop part-way, so the team has open work in every state.
  const recent = now.getTime() - t0.getTime() < 3 * 86_400_000;
  const played = recent ? steps.slice(0, Math.floor(random() * steps.length)) : steps;
  for (const [minutes, run] of played) {
    const when = new Date(t0.getTime() + minutes * 60_000);
    if (when >= now) return; // recent cases stay open where they are
    await run(when);
  }
}

async function approveRefund(
  service: ExceptionService,
  directory: Directory,
  caseId: number,
  amountFen: number,
  owner: string,
  now: Date,
): Promise<void> {
  const outcome = await service.requestApproval(caseId, { purpose: 'refund', amountFen }, owner, now);
  if (!outcome.approval || outcome.approval.decision !== 'pending' || !outcome.approval.approverRole) return;
  const team = await directory.team(outcome.case.teamKey);
  const role = outcome.approval.approverRole;
  const approver =
    role === 'lead'
      ? team?.leadOpenId
      : role === 'manager'
        ? team?.managerOpenId
        : (await directory.people({ role }))[0]?.openId;
  if (!approver) return;
  await service.decide(outcome.approval.id, 'approve', undefined, approver, now);
  await service.recordMoney(caseId, { refundedFen: amountFen }, approver, now);
}

function pick<T>(random: () => number, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)]!;
}

function sfNumber(random: () => number): string {
  return `SF${String(Math.floor(1e12 + random() * 9e12))}`;
}

/** Small deterministic PRNG so every demo tenant tells the same story. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The obviously-correct reference: walk minute by minute and ask the wall clock.
 * Only for fixed-offset zones, so the wall clock is plain arithmetic — independent of Intl.
 */
export interface ReferenceCalendar {
  offsetMinutes: number;
  /** Indexed 0 = Sunday; [startMinute, endMinute) pairs. */
  weekly: [number, number][][];
  makeUp: [number, number][];
  overrides: Map<string, 'holiday' | 'workday'>;
}

const MIN = 60_000;
const DAY = 86_400_000;

export function refIsWorkingMinute(cal: ReferenceCalendar, t: number): boolean {
  const local = t + cal.offsetMinutes * MIN;
  const date = new Date(local);
  const iso = date.toISOString().slice(0, 10);
  const minute = Math.floor((((local % DAY) + DAY) % DAY) / MIN);
  const override = cal.overrides.get(iso);
  const periods =
    override === 'holiday' ? [] : override === 'workday' ? cal.makeUp : (cal.weekly[date.getUTCDay()] ?? []);
  return periods.some(([s, e]) => s <= minute && minute < e);
}

export function refAddBusinessMinutes(cal: ReferenceCalendar, start: number, minutes: number): number {
  let t = start;
  let counted = 0;
  while (counted < minutes) {
    if (refIsWorkingMinute(cal, t)) counted++;
    t += MIN;
  }
  return t;
}

export function refBusinessMinutesBetween(cal: ReferenceCalendar, a: number, b: number): number {
  let counted = 0;
  for (let t = a; t < b; t += MIN) if (refIsWorkingMinute(cal, t)) counted++;
  return counted;
}

export function refNextWorkingInstant(cal: ReferenceCalendar, t0: number): number {
  let t = t0;
  while (!refIsWorkingMinute(cal, t)) t += MIN;
  return t;
}

/**
 * Agreement between raters beyond chance: Cohen's kappa for two raters, Fleiss' kappa for several.
 * Both are null when chance agreement is already total (every rating in one category), where kappa is
 * undefined.
 */

/** Cohen's κ = (po − pe)/(1 − pe) over paired labels of the same items. */
export function cohenKappa<L>(pairs: ReadonlyArray<readonly [L, L]>): number | null {
  const n = pairs.length;
  if (n === 0) return null;
  const a = new Map<L, number>();
  const b = new Map<L, number>();
  let agree = 0;
  for (const [x, y] of pairs) {
    a.set(x, (a.get(x) ?? 0) + 1);
    b.set(y, (b.get(y) ?? 0) + 1);
    if (x === y) agree++;
  }
  const po = agree / n;
  let pe = 0;
  for (const [label, count] of a) pe += (count / n) * ((b.get(label) ?? 0) / n);
  return pe >= 1 - 1e-12 ? null : (po - pe) / (1 - pe);
}

/**
 * Fleiss' κ from counts: `items[i][j]` raters who put item i in category j. Items may have different
 * numbers of raters (an inspector who skipped one); items with fewer than two are left out.
 * P_i = Σ_j n_ij(n_ij − 1) / (m_i(m_i − 1)), P̄ their mean, p_j = Σ_i n_ij / Σ_i m_i, P̄e = Σ_j p_j²,
 * κ = (P̄ − P̄e)/(1 − P̄e).
 */
export function fleissKappa(items: ReadonlyArray<readonly number[]>): number | null {
  const rated = items.filter((row) => row.reduce((s, v) => s + v, 0) >= 2);
  if (rated.length === 0) return null;
  const categories = Math.max(...rated.map((r) => r.length));
  const totals = Array.from({ length: categories }, () => 0);
  let ratings = 0;
  let agreement = 0;
  for (const row of rated) {
    const m = row.reduce((s, v) => s + v, 0);
    agreement += row.reduce((s, v) => s + v * (v - 1), 0) / (m * (m - 1));
    row.forEach((v, j) => (totals[j]! += v));
    ratings += m;
  }
  const observed = agreement / rated.length;
  const chance = totals.reduce((s, t) => s + (t / ratings) ** 2, 0);
  return chance >= 1 - 1e-12 ? null : (observed - chance) / (1 - chance);
}

/** Labels per item → Fleiss counts over the labels that occur. */
export function countsOf<L>(items: ReadonlyArray<readonly L[]>): number[][] {
  const labels = [...new Set(items.flat())];
  return items.map((row) => labels.map((l) => row.filter((x) => x === l).length));
}

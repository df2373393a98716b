/**
 * The chaos runs' randomness, from one seed: CHAOS_SEED when set (to replay a failure), else a
 * fresh one. Print it; every choice a run makes comes from `seededRandom(seed)`.
 */
export function chaosSeed(env: NodeJS.ProcessEnv = process.env): number {
  const given = env.CHAOS_SEED?.trim();
  if (given) {
    const n = Number(given);
    if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new Error(`CHAOS_SEED must be an integer 0…2^32-1`);
    return n;
  }
  return Math.floor(Math.random() * 0xffffffff);
}

export { seededRandom } from '../../../src/domains/shared/seeded-random.js';

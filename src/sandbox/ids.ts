import { createHash, randomBytes } from 'node:crypto';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function alnum(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += ALNUM[b % ALNUM.length];
  return out;
}

function hex(length: number): string {
  return randomBytes(Math.ceil(length / 2))
    .toString('hex')
    .slice(0, length);
}

/** Deterministic hex from a seed: demo users keep their ids across re-seeds. */
export function stableHex(seed: string, length: number): string {
  return createHash('sha256').update(seed).digest('hex').slice(0, length);
}

// Id shapes copied from the official samples (om_/oc_ + 32 hex, rec/tbl/fld/vew + base62, t-/c- tokens).
export const newId = {
  message: () => `om_${hex(32)}`,
  chat: () => `oc_${hex(32)}`,
  thread: () => `omt_${hex(12)}`,
  app: () => `bascn${alnum(22)}`,
  table: () => `tbl${alnum(13)}`,
  field: () => `fld${alnum(7)}`,
  view: () => `vew${alnum(7)}`,
  record: () => `rec${alnum(11)}`,
  event: () => hex(32),
  nonce: () => hex(16),
  logId: () => `${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}${hex(18).toUpperCase()}`,
  tenantToken: () => `t-${hex(40)}`,
  cardToken: () => `c-${hex(40)}`,
  appId: () => `cli_${hex(16)}`,
  secret: () => alnum(32),
};

import type { SendAttempt } from '../../../src/sandbox/index.js';

type Value = Record<string, unknown>;

/** The callback value of the first button on a card whose value matches (schema 2.0 behaviors or 1.0 value). */
export function findButtonValue(card: unknown, match: (v: Value) => boolean): Value | undefined {
  let found: Value | undefined;
  const walk = (node: unknown) => {
    if (found) return;
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const n = node as { tag?: string; behaviors?: Array<{ type: string; value?: Value }>; value?: Value };
      if (n.tag === 'button') {
        for (const b of n.behaviors ?? []) if (b.type === 'callback' && b.value && match(b.value)) found ??= b.value;
        if (n.value && typeof n.value === 'object' && match(n.value)) found ??= n.value;
      }
      Object.values(node).forEach(walk);
    }
  };
  walk(card);
  return found;
}

/**
 * What a send is for, read from outside the bot: a reply answers one message; a new message goes
 * to one receiver about one case (its EX number) with one card (its header title).
 */
export function intentOf(a: SendAttempt): string {
  if (a.via === 'reply') return `reply to ${a.target}`;
  let title = '';
  try {
    const card = JSON.parse(a.content) as { header?: { title?: { content?: string } } };
    title = card.header?.title?.content ?? '';
  } catch {
    // not JSON: keyed by content below
  }
  const caseNo = /EX\d{6,}/.exec(a.content)?.[0] ?? '';
  return `to ${a.target} · ${caseNo} · ${title || a.content.slice(0, 80)}`;
}

/** Sends that carried no uuid: Feishu could not deduplicate their retries. */
export function sendsWithoutUuid(attempts: SendAttempt[]): string[] {
  return attempts.filter((a) => !a.uuid).map(intentOf);
}

/** A uuid used for sends to different places (two intents sharing one key). */
export function uuidsWithSeveralTargets(attempts: SendAttempt[]): string[] {
  const targets = new Map<string, Set<string>>();
  for (const a of attempts) {
    if (!a.uuid) continue;
    const set = targets.get(a.uuid) ?? new Set<string>();
    set.add(`${a.via}:${a.target}`);
    targets.set(a.uuid, set);
  }
  return [...targets].filter(([, s]) => s.size > 1).map(([uuid, s]) => `${uuid}: ${[...s].join(', ')}`);
}

/** Intents sent under more than one uuid: each would be a second, different message. */
export function duplicateIntents(attempts: SendAttempt[]): string[] {
  const uuids = new Map<string, Set<string>>();
  for (const a of attempts) {
    if (a.outcome === 'refused') continue;
    const key = intentOf(a);
    const set = uuids.get(key) ?? new Set<string>();
    set.add(a.uuid ?? `(none ${a.at})`);
    uuids.set(key, set);
  }
  // Each uuid's first attempt in full (when, what), so a failure shows whether these were two
  // causes or one cause sent twice.
  const first = (uuid: string) => attempts.find((a) => (a.uuid ?? `(none ${a.at})`) === uuid);
  return [...uuids]
    .filter(([, s]) => s.size > 1)
    .map(
      ([k, s]) =>
        `${k}: ${s.size} uuids\n${[...s].map((u) => `    ${u} at ${first(u)?.at}: ${first(u)?.content}`).join('\n')}`,
    );
}

/** The same content sent to the same place under more than one uuid: a second, different send of one message. */
export function contentUnderSeveralUuids(attempts: SendAttempt[]): string[] {
  const keys = new Map<string, Set<string | undefined>>();
  for (const a of attempts.filter((x) => x.outcome !== 'refused')) {
    const k = `${a.via} ${a.target} ${a.content}`;
    keys.set(k, (keys.get(k) ?? new Set()).add(a.uuid));
  }
  return [...keys].filter(([, u]) => u.size > 1).map(([k]) => k.slice(0, 200));
}

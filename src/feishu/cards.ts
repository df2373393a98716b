import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Card } from './messages.js';

export const cardsFolder = fileURLToPath(new URL('../../cards', import.meta.url));

export type CardVars = Record<string, unknown>;

/**
 * Card JSON 2.0 files with ${variables} are data a product person can paste into Feishu's card
 * builder. Substitution walks the parsed JSON, so a value can never break the JSON: a string that
 * is exactly "${name}" takes the value as is (an array of elements, a number), otherwise values
 * are interpolated as text.
 */
export class CardLibrary {
  private readonly templates = new Map<string, unknown>();

  constructor(folder: string = cardsFolder) {
    for (const file of walk(folder)) {
      const name = relative(folder, file).replace(/\\/g, '/').replace(/\.json$/, '');
      this.templates.set(name, JSON.parse(readFileSync(file, 'utf8')));
    }
  }

  names(): string[] {
    return [...this.templates.keys()].sort();
  }

  render(name: string, vars: CardVars = {}): Card {
    const template = this.templates.get(name);
    if (template === undefined) throw new Error(`unknown card template ${name}`);
    return substitute(template, vars, name) as Card;
  }
}

const WHOLE = /^\$\{([A-Za-z_][\w.]*)\}$/;
const PART = /\$\{([A-Za-z_][\w.]*)\}/g;

function lookup(vars: CardVars, path: string, card: string): unknown {
  let value: unknown = vars;
  for (const part of path.split('.')) {
    value = value && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
  }
  if (value === undefined) throw new Error(`card ${card}: variable \${${path}} has no value`);
  return value;
}

function substitute(node: unknown, vars: CardVars, card: string): unknown {
  if (typeof node === 'string') {
    const whole = WHOLE.exec(node);
    if (whole) return lookup(vars, whole[1]!, card);
    return node.replace(PART, (_, path: string) => String(lookup(vars, path, card)));
  }
  if (Array.isArray(node)) return node.map((n) => substitute(n, vars, card));
  if (node && typeof node === 'object') {
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, substitute(v, vars, card)]));
  }
  return node;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return walk(path);
    return entry.endsWith('.json') ? [path] : [];
  });
}

import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  cardPart,
  renderCard,
  type Card,
  type CardPart,
  type CardRenderer,
  type CardVars,
} from '../core/cards/render.js';

export type { CardVars } from '../core/cards/render.js';

export const cardsFolder = fileURLToPath(new URL('../../cards', import.meta.url));

/**
 * The card files under cards/: complete Feishu card JSON 2.0 a product person can paste into
 * Feishu's card builder, with `${name}` variables; cards/<domain>/parts/ holds the repeated parts.
 * Rendering (escaping, size limit) is core/cards/render.ts.
 */
export class CardLibrary implements CardRenderer {
  private readonly templates = new Map<string, unknown>();

  constructor(folder: string = cardsFolder) {
    for (const file of walk(folder)) {
      const name = relative(folder, file)
        .replace(/\\/g, '/')
        .replace(/\.json$/, '');
      this.templates.set(name, JSON.parse(readFileSync(file, 'utf8')));
    }
  }

  names(): string[] {
    return [...this.templates.keys()].sort();
  }

  render(name: string, vars: CardVars = {}): Card {
    return renderCard((n) => this.templates.get(n), name, vars);
  }

  part(name: string, vars: CardVars = {}): CardPart {
    if (!this.templates.has(name)) throw new Error(`unknown card part ${name}`);
    return cardPart(name, vars);
  }
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return walk(path);
    return entry.endsWith('.json') ? [path] : [];
  });
}

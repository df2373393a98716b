import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { duplicates } from './template-fields.js';
import { TableTemplate, type TemplateField } from './template-schema.js';

/** "Tables + dashboards per base ≤ 100" (FEISHU.md §e): every template lives in one base. */
export const MAX_TABLES_PER_BASE = 100;

export class TemplateError extends Error {
  override name = 'TemplateError';
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(`多维表格模板无效 invalid Bitable template ${file}:\n  - ${problems.join('\n  - ')}`);
  }
}

export interface TemplateSet {
  readonly tables: readonly TableTemplate[];
  /** The template with this key; throws if there is none. */
  table(key: string): TableTemplate;
}

/** Read, validate and cross-check every `*.json` in `dir`; file `<key>.json` holds table `key`. */
export async function loadTemplates(dir: string | URL): Promise<TemplateSet> {
  const root = typeof dir === 'string' ? dir : fileURLToPath(dir);
  const files = (await readdir(root)).filter((f) => f.endsWith('.json')).sort();
  const tables: TableTemplate[] = [];
  for (const file of files) tables.push(await loadTemplateFile(path.join(root, file)));
  return checkTemplateSet(tables, root);
}

export async function loadTemplateFile(file: string): Promise<TableTemplate> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new TemplateError(file, [`not valid JSON: ${(error as Error).message}`]);
  }
  const parsed = TableTemplate.safeParse(json);
  if (!parsed.success) {
    throw new TemplateError(
      file,
      parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`),
    );
  }
  const expected = path.basename(file, '.json');
  if (parsed.data.key !== expected)
    throw new TemplateError(file, [`key "${parsed.data.key}" must match the file name "${expected}"`]);
  return parsed.data;
}

/** Cross-table invariants: unique keys and names, link targets, two-way link pairs, base limits. */
export function checkTemplateSet(tables: readonly TableTemplate[], where = 'bitable-templates'): TemplateSet {
  const problems: string[] = [];
  if (tables.length > MAX_TABLES_PER_BASE)
    problems.push(`${tables.length} tables exceed ${MAX_TABLES_PER_BASE} per base`);
  for (const dup of duplicates(tables.map((t) => t.key))) problems.push(`duplicate table key "${dup}"`);
  for (const dup of duplicates(tables.map((t) => t.name))) problems.push(`duplicate table name "${dup}"`);

  const byKey = new Map(tables.map((t) => [t.key, t]));
  for (const table of tables) {
    for (const field of table.fields) {
      if (field.type !== 18 && field.type !== 21) continue;
      const where = `${table.key}.${field.key}`;
      const target = byKey.get(field.property.table);
      if (!target) {
        problems.push(`${where} links to unknown table "${field.property.table}"`);
        continue;
      }
      if (field.type === 21) problems.push(...backFieldProblems(where, table, field, target));
    }
  }
  if (problems.length > 0) throw new TemplateError(where, problems);
  return {
    tables,
    table(key) {
      const found = byKey.get(key);
      if (!found) throw new TemplateError(where, [`no template with key "${key}"`]);
      return found;
    },
  };
}

/** Feishu creates the back field itself; if the target also declares it, both ends must agree. */
function backFieldProblems(
  where: string,
  table: TableTemplate,
  field: Extract<TemplateField, { type: 21 }>,
  target: TableTemplate,
): string[] {
  const back = target.fields.find((f) => f.name === field.property.back_field_name);
  if (!back) return [];
  if (back.type !== 21) return [`${where}: back field "${back.name}" in ${target.key} must be a two-way link`];
  const problems: string[] = [];
  if (back.property.table !== table.key)
    problems.push(`${where}: back field ${target.key}.${back.key} links to ${back.property.table}, not ${table.key}`);
  if (back.property.back_field_name !== field.name) {
    problems.push(
      `${where}: back field ${target.key}.${back.key} names "${back.property.back_field_name}" as its back field,` +
        ` not "${field.name}"`,
    );
  }
  return problems;
}

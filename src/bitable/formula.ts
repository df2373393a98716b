/**
 * Template formulas name fields as `{field_key}` so they survive renames. Feishu stores a formula
 * with references of the form `bitable::$table[tbl…].$field[fld…]`; provisioning substitutes them
 * once the referenced fields exist (they must be created before the formula field).
 */
const REFERENCE = /\{([a-z][a-z0-9_]*)\}/g;

export function formulaReferences(expression: string): string[] {
  return [...new Set([...expression.matchAll(REFERENCE)].map((m) => m[1] ?? ''))];
}

/** Replace each `{field_key}` with what `resolve` returns for it (e.g. a `bitable::$table[…].$field[…]` reference). */
export function renderFormula(expression: string, resolve: (fieldKey: string) => string): string {
  return expression.replace(REFERENCE, (_match, key: string) => resolve(key));
}

import { DATE_KINDS, PERSON_KINDS, PRIMARY_FIELD_TYPES, kindOf } from './field-kinds.js';
import { formulaReferences } from './formula.js';
import { duplicates, type TemplateField } from './template-fields.js';
import type { TemplateView, ViewCondition } from './template-views.js';

/** What a zod refinement context offers, reduced to what these checks use. */
interface IssueSink {
  addIssue(issue: { code: 'custom'; path: PropertyKey[]; message: string }): void;
}

interface TableShape {
  primaryField: string;
  fields: TemplateField[];
  views: TemplateView[];
}

export const FILTER_TOKEN = /^@(me|today([+-]\d{1,4}d)?|week_start|week_end|month_start|month_end)$/;

/** In-table invariants of a template; cross-table ones live in load-templates.ts. */
export function checkTableTemplate(table: TableShape, ctx: IssueSink): void {
  const issue = (path: PropertyKey[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  const byKey = new Map(table.fields.map((f) => [f.key, f]));

  for (const dup of duplicates(table.fields.map((f) => f.key))) issue(['fields'], `duplicate field key "${dup}"`);
  for (const dup of duplicates(table.fields.map((f) => f.name))) issue(['fields'], `duplicate field name "${dup}"`);
  for (const dup of duplicates(table.views.map((v) => v.key))) issue(['views'], `duplicate view key "${dup}"`);
  for (const dup of duplicates(table.views.map((v) => v.name))) issue(['views'], `duplicate view name "${dup}"`);

  const primary = byKey.get(table.primaryField);
  if (!primary) issue(['primaryField'], `primary field "${table.primaryField}" is not a field of this table`);
  else {
    if (table.fields[0]?.key !== primary.key) issue(['primaryField'], 'the primary field must be the first field');
    if (!PRIMARY_FIELD_TYPES.has(primary.type))
      issue(['primaryField'], `type ${primary.type} cannot be a primary field`);
  }

  table.fields.forEach((field, i) => {
    if (field.type !== 20) return;
    for (const ref of formulaReferences(field.property.formula_expression)) {
      if (ref === field.key) issue(['fields', i, 'property', 'formula_expression'], 'a formula cannot refer to itself');
      else if (!byKey.has(ref))
        issue(['fields', i, 'property', 'formula_expression'], `formula refers to unknown field {${ref}}`);
    }
  });

  table.views.forEach((view, v) => {
    const at = (...rest: PropertyKey[]) => ['views', v, ...rest];
    view.filter?.conditions.forEach((condition, c) => {
      const field = byKey.get(condition.field);
      if (!field) issue(at('filter', 'conditions', c, 'field'), `unknown field "${condition.field}"`);
      else for (const problem of conditionProblems(field, condition)) issue(at('filter', 'conditions', c), problem);
    });
    view.sort?.forEach((s, i) => {
      if (!byKey.has(s.field)) issue(at('sort', i, 'field'), `unknown field "${s.field}"`);
    });
    if (view.type === 'kanban' && !view.group_by) issue(at('group_by'), 'a kanban view needs group_by');
    if (view.group_by) {
      const group = byKey.get(view.group_by);
      if (!group) issue(at('group_by'), `unknown field "${view.group_by}"`);
      else if (view.type === 'kanban' && group.type !== 3 && group.type !== 11) {
        issue(at('group_by'), 'kanban columns come from a single select or user field');
      }
    }
    view.hidden_fields?.forEach((key, i) => {
      if (!byKey.has(key)) issue(at('hidden_fields', i), `unknown field "${key}"`);
      if (key === table.primaryField) issue(at('hidden_fields', i), 'the primary field cannot be hidden');
    });
  });
}

function conditionProblems(field: TemplateField, condition: ViewCondition): string[] {
  const kind = kindOf(field);
  const values = condition.value ?? [];
  const problems: string[] = [];
  const wantsValue = condition.operator !== 'isEmpty' && condition.operator !== 'isNotEmpty';
  if (wantsValue && values.length === 0) problems.push(`operator ${condition.operator} needs a value`);
  if (!wantsValue && values.length > 0) problems.push(`operator ${condition.operator} takes no value`);
  for (const value of values) {
    if (typeof value === 'string' && value.startsWith('@')) {
      if (!FILTER_TOKEN.test(value)) problems.push(`unknown token ${value}`);
      else if (value === '@me' && !PERSON_KINDS.includes(kind)) problems.push('@me only applies to person fields');
      else if (value !== '@me' && !DATE_KINDS.includes(kind)) problems.push(`${value} only applies to date fields`);
    } else if ((field.type === 3 || field.type === 4) && !field.property.options.some((o) => o.name === value)) {
      problems.push(`"${String(value)}" is not an option of ${field.key}`);
    }
  }
  return problems;
}

import { creationOrder, fieldPayload, NotProvisionableError } from '../bitable/field-payload.js';
import type { ApiField } from '../bitable/schema-api.js';
import { isBareView, viewProperty } from '../bitable/view-property.js';
import { FeishuApiError } from '../feishu/errors.js';
import type { TableTemplate, TemplateField } from '../bitable/template-schema.js';
import type { BoundTable } from './bindings.js';
import type { ProvisionRun } from './provision-run.js';

/**
 * Fields and views of every template table: found by the id stored last time, else by name,
 * else created. Found fields keep whatever name and settings staff gave them.
 * Fields are made in three passes over all tables — plain fields, links, formulas — so a link's
 * target table and a formula's referenced fields exist first. After a two-way link is made, its
 * target's fields are listed again: Feishu created the back field there (FEISHU.md §e).
 */
export async function provisionFields(run: ProvisionRun): Promise<void> {
  const rank = (f: TemplateField) => (f.type === 18 || f.type === 21 ? 1 : f.type === 20 ? 2 : 0);
  for (const pass of [0, 1, 2]) {
    for (const template of run.templates) {
      const table = run.table(template.key);
      for (const field of creationOrder(template.fields)) {
        if (rank(field) === pass) await provisionField(run, template, table, field);
      }
      if (pass === 2) run.progress(`字段 fields · ${template.name}`);
    }
  }
}

async function provisionField(
  run: ProvisionRun,
  template: TableTemplate,
  table: BoundTable,
  field: TemplateField,
): Promise<void> {
  const where = `${template.key}.${field.key}`;
  const existing = await run.fieldsOf(table);
  const bound = table.fields.get(field.key);
  const found =
    (bound && existing.find((f) => f.field_id === bound.fieldId)) ?? existing.find((f) => f.field_name === field.name);
  if (found) {
    if (found.type !== field.type) {
      run.report.conflicts.push(
        `${where}: "${found.field_name}" in Bitable is type ${found.type}, the template says ${field.type}` +
          ` — left as it is`,
      );
      table.fields.delete(field.key);
      return;
    }
    table.fields.set(field.key, { fieldId: found.field_id, name: found.field_name, type: found.type });
    return;
  }
  let payload;
  try {
    payload = fieldPayload(field, {
      tableId: (key) => run.table(key).tableId,
      fieldRef: (key) => {
        const ref = table.fields.get(key);
        if (!ref) throw new NotProvisionableError(`formula ${where} names field ${key}, which is not in Bitable`);
        return `bitable::$table[${table.tableId}].$field[${ref.fieldId}]`;
      },
    });
  } catch (error) {
    if (!(error instanceof NotProvisionableError)) throw error;
    run.report.skipped.push(`${where}: ${error.message}`);
    return;
  }
  let created: ApiField;
  try {
    created = await run.api.createField(run.appToken, table.tableId, payload);
  } catch (error) {
    // The same client_token sent again after the first create went through (FEISHU.md §m.3): it is there.
    if (!(error instanceof FeishuApiError) || error.code !== CLIENT_TOKEN_REUSED) throw error;
    run.forgetFields(table);
    const made = (await run.fieldsOf(table)).find((f) => f.field_name === field.name);
    if (!made) throw error;
    created = made;
  }
  if (!existing.includes(created)) existing.push(created);
  table.fields.set(field.key, { fieldId: created.field_id, name: created.field_name, type: created.type });
  run.report.created.fields.push(where);
  if (field.type === 21) run.forgetFields(run.table(field.property.table));
}

const CLIENT_TOKEN_REUSED = 1254608;

/**
 * Views by stored id, else by name, else created (the first view is the table's default view).
 * A view still bare (no filter, no hidden fields) gets the template's filter and hidden fields;
 * one that staff have filtered is left as they made it. What the API cannot set (sort, grouping,
 * "current user", rolling dates) is listed in the report for an admin to set by hand.
 */
export async function provisionViews(run: ProvisionRun): Promise<void> {
  for (const template of run.templates) {
    const table = run.table(template.key);
    const existing = await run.api.listViews(run.appToken, table.tableId);
    for (const view of template.views) {
      const bound = table.views.get(view.key);
      let found =
        (bound && existing.find((v) => v.view_id === bound.viewId)) ?? existing.find((v) => v.view_name === view.name);
      if (!found) {
        found = await run.api.createView(run.appToken, table.tableId, { view_name: view.name, view_type: view.type });
        existing.push(found);
        run.report.created.views.push(`${template.key}.${view.key}`);
      }
      table.views.set(view.key, { viewId: found.view_id, name: found.view_name });
      const { property, manual } = viewProperty(template, view, (key) => table.fields.get(key)?.fieldId);
      if (Object.keys(property).length > 0 && isBareView(found.property)) {
        await run.api.patchView(run.appToken, table.tableId, found.view_id, property);
        run.report.filteredViews.push(`${template.key}.${view.key}`);
      }
      if (manual.length > 0) run.report.manualViews.push({ view: `${template.name} › ${view.name}`, settings: manual });
    }
    run.progress(`视图 views · ${template.name}`);
  }
}

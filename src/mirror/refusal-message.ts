/** One refused field of an edit: what the person typed, why it was refused, what the cell shows again. */
export interface RefusedLine {
  field: string;
  typed: string;
  reason: string;
  restored: string;
}

/**
 * The one DM an editor gets for an edit the workflow would not take (the grid cannot show an
 * error itself). Plain text: the values are people's text, never markdown.
 */
export function refusalMessage(table: string, recordNo: string, lines: readonly RefusedLine[]): string {
  const zh = lines.map((l) => `「${l.field}」改为「${l.typed}」未生效：${l.reason}。已恢复为「${l.restored}」。`);
  const en = lines.map((l) => `${l.field} → "${l.typed}" was not applied and is back to "${l.restored}".`);
  return [
    `多维表格「${table}」中 ${recordNo} 的修改未生效 · Your edit to ${recordNo} in Bitable was not applied`,
    ...zh,
    ...en,
  ].join('\n');
}

/** The DM for a row a person added that the workflow would not take (the row stays as they typed it). */
export function addRefusalMessage(table: string, row: string, reason: string): string {
  return [
    `多维表格「${table}」中新增的行「${row}」未被采用：${reason}。该行已保留，改正后会自动采用。`,
    `The row "${row}" you added to ${table} was not taken; it stays as you typed it and is taken once fixed.`,
  ].join('\n');
}

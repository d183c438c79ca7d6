/** A plain aligned table: what a person reads in a terminal and can paste into an issue. */
export function table(headers: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(cells[0]!), line(widths.map((w) => '-'.repeat(w))), ...cells.slice(1).map(line)].join('\n');
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export const fixed = (value: number | undefined | null, digits = 2) => (value === undefined || value === null ? '-' : value.toFixed(digits));

/** Significant digits, for values whose scale varies (errors): 1.2e-7, 0.031. */
export const significant = (value: number | undefined | null, digits = 2) => (value === undefined || value === null ? '-' : value.toPrecision(digits));

/** Plain-text tables for the eval reports (`earshot eval`, tools/eval/compare). */
/**
 * A plain-text table: the first column left-aligned, the others right-aligned, two spaces apart.
 * @example
 * formatTable(['subset', 'CER %'], [['test', '8.27']]) // 'subset  CER %\ntest     8.27\n'
 */
export function formatTable(head: string[], body: string[][]): string {
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ');
  return [line(head), ...body.map(line)].join('\n') + '\n';
}

/** One timeline entry as the API gives it: `at` and `kind`, the rest depends on the kind. */
export type TimelineRow = { at: string; kind: string; node?: string; [key: string]: unknown };

/**
 * `instant` (ISO) as wall-clock time in `timeZone`: `YYYY-MM-DD HH:MM:SS` and the zone's short name
 * (e.g. `2026-03-06 09:00:00 PST`).
 */
export function localTime(instant: string, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'short',
    })
      .formatToParts(new Date(instant))
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second} ${parts.timeZoneName}`;
}

/** `2026-03-06T17:00:00.000Z` → `2026-03-06 17:00:00Z`. */
export function utcTime(instant: string): string {
  return `${new Date(instant).toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

/** What an entry says beyond its time, kind and node: its other fields as `key=value`. */
function detail(row: TimelineRow): string {
  return Object.entries(row)
    .filter(([k]) => !['at', 'kind', 'node'].includes(k))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
}

/** The timeline as an aligned text table: local time (in `timeZone`), UTC, kind, node, detail. */
export function timelineTable(rows: readonly TimelineRow[], timeZone: string): string {
  const header = [`LOCAL (${timeZone})`, 'UTC', 'KIND', 'NODE', 'DETAIL'];
  const cells = rows.map((r) => [localTime(r.at, timeZone), utcTime(r.at), r.kind, r.node ?? '', detail(r)]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: string[]) =>
    c
      .map((v, i) => (i === c.length - 1 ? v : v.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return `${[header, ...cells].map(line).join('\n')}\n`;
}

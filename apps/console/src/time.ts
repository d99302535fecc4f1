/** `iso` as `YYYY-MM-DD HH:mm:ss` wall-clock time in `timeZone` (an IANA zone). */
export function wallTime(iso: string, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(iso));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '??';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}:${get('second')}`;
}

/** Both clocks an operator needs: the plan's local time (with its zone) and UTC. */
export function bothTimes(iso: string, timeZone: string): { local: string; utc: string } {
  return { local: `${wallTime(iso, timeZone)} ${timeZone}`, utc: `${wallTime(iso, 'UTC')} UTC` };
}

import { describe, expect, it } from 'vitest';
import { localTime, timelineTable, utcTime } from './timeline-table.ts';

/*
 * Expected wall-clock times by hand: US DST began 2026-03-08 at 02:00 PST (10:00Z), the EU's on
 * 2026-03-29 at 01:00Z (02:00 CET became 03:00 CEST).
 */
describe('timeline times', () => {
  it('shows local time with its zone name across the DST change', () => {
    expect(localTime('2026-03-08T09:59:59.000Z', 'America/Los_Angeles')).toBe('2026-03-08 01:59:59 PST');
    expect(localTime('2026-03-08T10:00:00.000Z', 'America/Los_Angeles')).toBe('2026-03-08 03:00:00 PDT');
    expect(localTime('2026-03-29T01:00:00.000Z', 'Europe/Berlin')).toBe('2026-03-29 03:00:00 GMT+2');
    expect(localTime('2026-03-29T00:59:00.000Z', 'Europe/Berlin')).toBe('2026-03-29 01:59:00 GMT+1');
  });

  it('shows UTC without milliseconds', () => {
    expect(utcTime('2026-03-06T17:00:00.123Z')).toBe('2026-03-06 17:00:00Z');
  });

  it('lays the rows out in aligned columns with the other fields as key=value', () => {
    const table = timelineTable(
      [
        { at: '2026-03-06T17:00:00.000Z', kind: 'send', node: 'intro', message: 'm-1' },
        { at: '2026-03-09T17:00:00.000Z', kind: 'transition', node: 'intro', to: 'bump', on: 'no_open' },
      ],
      'America/Los_Angeles',
    );
    expect(table.split('\n')).toEqual([
      'LOCAL (America/Los_Angeles)  UTC                   KIND        NODE   DETAIL',
      '2026-03-06 09:00:00 PST      2026-03-06 17:00:00Z  send        intro  message=m-1',
      '2026-03-09 10:00:00 PDT      2026-03-09 17:00:00Z  transition  intro  to=bump on=no_open',
      '',
    ]);
  });
});

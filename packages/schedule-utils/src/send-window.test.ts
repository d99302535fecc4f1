import { describe, expect, it } from 'vitest';
import { sendWindowProblems } from './send-window.ts';

const fields = (w: unknown) => sendWindowProblems(w).map((p) => p.field);
const message = (w: unknown, field: string) => sendWindowProblems(w).find((p) => p.field === field)?.message;

describe('sendWindowProblems', () => {
  it('accepts a non-empty set of day names with start < end', () => {
    expect(
      sendWindowProblems({ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '17:00' }),
    ).toEqual([]);
    expect(sendWindowProblems({ days: ['sun'], start: '00:00', end: '23:59' })).toEqual([]);
  });

  it('refuses a missing, empty or non-array days', () => {
    expect(fields({ start: '09:00', end: '17:00' })).toEqual(['days']);
    expect(fields({ days: [], start: '09:00', end: '17:00' })).toEqual(['days']);
    expect(fields({ days: 'mon', start: '09:00', end: '17:00' })).toEqual(['days']);
  });

  it('refuses unknown day names, with a did-you-mean for the usual spellings', () => {
    const w = { days: ['monday', 'Mon', 'Tues', 'THURSDAY', 'weekdays', 3], start: '09:00', end: '17:00' };
    expect(fields(w)).toEqual(['days/0', 'days/1', 'days/2', 'days/3', 'days/4', 'days/5']);
    expect(message(w, 'days/0')).toMatch(/Did you mean 'mon'/);
    expect(message(w, 'days/1')).toMatch(/Did you mean 'mon'/);
    expect(message(w, 'days/2')).toMatch(/Did you mean 'tue'/);
    expect(message(w, 'days/3')).toMatch(/Did you mean 'thu'/);
    expect(message(w, 'days/4')).not.toMatch(/Did you mean/);
    expect(message({ days: ['tuesday'], start: '09:00', end: '17:00' }, 'days/0')).toMatch(
      /Did you mean 'tue'/,
    );
    expect(message({ days: ['Saturday'], start: '09:00', end: '17:00' }, 'days/0')).toMatch(
      /Did you mean 'sat'/,
    );
  });

  it('refuses a day listed twice, at its second place', () => {
    expect(fields({ days: ['mon', 'tue', 'mon'], start: '09:00', end: '17:00' })).toEqual(['days/2']);
  });

  it('refuses times that are not HH:MM', () => {
    expect(fields({ days: ['mon'], start: '9:00', end: '17:00' })).toEqual(['start']);
    expect(fields({ days: ['mon'], start: '09:00', end: '24:00' })).toEqual(['end']);
    expect(fields({ days: ['mon'], start: 900, end: '17:00:00' })).toEqual(['start', 'end']);
  });

  it('refuses start >= end: a window does not cross midnight', () => {
    expect(fields({ days: ['mon'], start: '17:00', end: '09:00' })).toEqual(['end']);
    expect(fields({ days: ['mon'], start: '09:00', end: '09:00' })).toEqual(['end']);
    expect(message({ days: ['mon'], start: '22:00', end: '06:00' }, 'end')).toMatch(
      /does not cross midnight/,
    );
  });

  it('refuses a non-object', () => {
    expect(fields(null)).toEqual(['']);
    expect(fields(['mon'])).toEqual(['']);
    expect(fields('mon-fri 9-5')).toEqual(['']);
  });
});

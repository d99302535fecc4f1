import { ScheduleError } from './errors.ts';
import { isValidTimeOfDay } from './quiet-hours.ts';

/** Day names of a send window, Monday first (DESIGN section 10). */
export const DAY_NAMES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type DayName = (typeof DAY_NAMES)[number];

/**
 * The local days and times at which sends may go (DESIGN section 10): `days` a non-empty set of
 * day names, `start` < `end` as 'HH:MM' ([start, end): start is inside, end is not). A window does
 * not cross midnight.
 */
export interface SendWindow {
  days: readonly DayName[];
  start: string;
  end: string;
}

/** Thrown when a send window has problems (see sendWindowProblems). */
export class InvalidSendWindowError extends ScheduleError {
  readonly code = 'invalid_send_window';
  readonly problems: readonly { field: string; message: string }[];

  constructor(problems: readonly { field: string; message: string }[]) {
    super(`Invalid send window: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`);
    this.name = 'InvalidSendWindowError';
    this.problems = problems;
  }
}

const DAY_SET: ReadonlySet<string> = new Set(DAY_NAMES);

/** 'Mon', 'monday', 'Tues', 'THURSDAY' -> the day name meant; undefined when none is clear. */
function dayNameMeant(value: string): DayName | undefined {
  const lower = value.trim().toLowerCase();
  if (lower.length < 2) return undefined;
  const full = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
  const matches = DAY_NAMES.filter(
    (day, i) => (lower.length >= 3 && (full[i] ?? '').startsWith(lower)) || lower.startsWith(day),
  );
  return matches.length === 1 ? matches[0] : undefined;
}

function timeProblem(value: unknown): string | undefined {
  if (typeof value === 'string' && isValidTimeOfDay(value)) return undefined;
  return `${JSON.stringify(value) ?? String(value)} is not a time of day: write 'HH:MM' on a 24-hour clock, '00:00' to '23:59' (such as '09:00')`;
}

/**
 * Problems of a send window, for the validator; empty when valid. `field` is a path relative to the
 * window object: 'days', `days/${i}`, 'start', 'end', or '' for the object itself. Checks: an
 * object; `days` a non-empty array of unique day names ('mon'..'sun', with a did-you-mean for
 * 'monday', 'Mon', 'Tues'); `start` and `end` 'HH:MM' with start < end (a window does not cross
 * midnight).
 */
export function sendWindowProblems(w: unknown): { field: string; message: string }[] {
  if (typeof w !== 'object' || w === null || Array.isArray(w)) {
    return [
      {
        field: '',
        message: "a send window is an object { days: ['mon', ...], start: 'HH:MM', end: 'HH:MM' }",
      },
    ];
  }
  const { days, start, end } = w as Record<string, unknown>;
  const problems: { field: string; message: string }[] = [];
  if (!Array.isArray(days) || days.length === 0) {
    problems.push({
      field: 'days',
      message: "days must be a non-empty array of day names 'mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'",
    });
  } else {
    const seen = new Set<unknown>();
    days.forEach((day: unknown, i) => {
      if (typeof day !== 'string' || !DAY_SET.has(day)) {
        const meant = typeof day === 'string' ? dayNameMeant(day) : undefined;
        const hint = meant !== undefined ? ` Did you mean '${meant}'?` : '';
        problems.push({
          field: `days/${i}`,
          message: `${JSON.stringify(day) ?? String(day)} is not a day name: use 'mon', 'tue', 'wed', 'thu', 'fri', 'sat' or 'sun'.${hint}`,
        });
      } else if (seen.has(day)) {
        problems.push({ field: `days/${i}`, message: `'${day}' is listed twice; list each day once` });
      }
      seen.add(day);
    });
  }
  const startProblem = timeProblem(start);
  const endProblem = timeProblem(end);
  if (startProblem !== undefined) problems.push({ field: 'start', message: startProblem });
  if (endProblem !== undefined) problems.push({ field: 'end', message: endProblem });
  if (startProblem === undefined && endProblem === undefined && (start as string) >= (end as string)) {
    problems.push({
      field: 'end',
      message: `end ${JSON.stringify(end)} must be after start ${JSON.stringify(start)}: a send window does not cross midnight`,
    });
  }
  return problems;
}

/** The window checked and read: days as ISO weekday numbers (1 = Monday), times in ms of the day. */
export interface ParsedSendWindow {
  isoWeekdays: ReadonlySet<number>;
  startMs: number;
  endMs: number;
}

/** @throws InvalidSendWindowError when sendWindowProblems(w) is non-empty. */
export function parseSendWindow(w: SendWindow): ParsedSendWindow {
  const problems = sendWindowProblems(w);
  if (problems.length > 0) throw new InvalidSendWindowError(problems);
  return {
    isoWeekdays: new Set(w.days.map((d) => DAY_NAMES.indexOf(d) + 1)),
    startMs: timeOfDayMs(w.start),
    endMs: timeOfDayMs(w.end),
  };
}

/** 'HH:MM' -> milliseconds since local midnight. */
export function timeOfDayMs(hhmm: string): number {
  return (Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5))) * 60_000;
}

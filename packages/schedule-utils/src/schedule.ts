import { addDuration } from './add-duration.ts';
import type { ParsedDuration } from './duration.ts';
import type { QuietHours } from './quiet-hours.ts';
import { applyQuietHours } from './quiet-hours.ts';

/**
 * The send time of a `send` node entered at `enteredAt` (DESIGN section 4, rules 2 and 3):
 * `dueAt` = addDuration(enteredAt, delay, zone), the time the delay asks for; `runAt` =
 * applyQuietHours(dueAt, zone, quiet), the time to actually send (equal to `dueAt` when `dueAt` is
 * not quiet or there are no quiet hours).
 *
 * @throws InvalidDurationError, InvalidTimezoneError, InvalidQuietHoursError, or RangeError for an
 *   invalid Date.
 */
export function calculateScheduleTime(
  enteredAt: Date,
  delay: string | ParsedDuration,
  zone: string,
  quiet?: QuietHours,
): { dueAt: Date; runAt: Date } {
  const dueAt = addDuration(enteredAt, delay, zone);
  return { dueAt, runAt: applyQuietHours(dueAt, zone, quiet) };
}

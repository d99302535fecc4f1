export { addDuration } from './add-duration.ts';
export type { Channel, DisallowReason, SendRules } from './allowed-instant.ts';
export {
  calculateSendTime,
  disallowReason,
  MAX_SEND_SEARCH_DAYS,
  nextAllowedInstant,
} from './allowed-instant.ts';
export type { ParsedDuration } from './duration.ts';
export {
  durationCovers,
  fractionalCalendarProblem,
  InvalidDurationError,
  isValidIsoDuration,
  isWithinMaxDuration,
  isZeroDuration,
  longestDurationMs,
  MAX_DURATION_DAYS,
  nominalDurationMs,
  parseIsoDuration,
} from './duration.ts';
export { ScheduleError } from './errors.ts';
export type { HolidayCalendar, HolidaysSpec } from './holidays.ts';
export { holidayCalendar, holidaysProblems, InvalidHolidaysError } from './holidays.ts';
export { localDayNumber, localDayStart } from './local-day.ts';
export type { LocalDateTime } from './local-time.ts';
export { resolveLocalTime } from './local-time.ts';
export type { QuietHours } from './quiet-hours.ts';
export {
  applyQuietHours,
  InvalidQuietHoursError,
  isQuietTime,
  isValidQuietHours,
  isValidTimeOfDay,
} from './quiet-hours.ts';
export { calculateScheduleTime } from './schedule.ts';
export type { DayName, SendWindow } from './send-window.ts';
export { DAY_NAMES, InvalidSendWindowError, sendWindowProblems } from './send-window.ts';
export type { TimezoneCheck } from './zone.ts';
export { checkTimezone, InvalidTimezoneError, isValidTimezone } from './zone.ts';

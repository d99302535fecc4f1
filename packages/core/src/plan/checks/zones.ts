import { checkTimezone, isValidTimeOfDay, type TimezoneCheck } from '@campaign/schedule-utils';
import type { PlanFacts } from '../plan-facts.ts';
import type { ReportIssue } from '../plan-issues.ts';
import { describeValue, isRecord, quoteList } from '../raw-value.ts';
import { obviousTimeOfDay, obviousZone } from '../repair/obvious-values.ts';

/*
 * Zones and local times: the plan's timezone (or the contact's, when the plan has none) and its quiet
 * hours (DESIGN sections 3 and 10, "Zone names").
 */

/** Zone facts the plan alone does not hold. */
export interface ZoneOptions {
  /**
   * The contact's zone. Undefined means "not known here" (static validation): a plan without a
   * timezone is then accepted. Null or an invalid zone means the contact has none, so the plan must.
   */
  contactTimezone?: string | null;
}

export function checkZones(facts: PlanFacts, options: ZoneOptions, report: ReportIssue): void {
  if (facts.plan === undefined) return;
  checkPlanTimezone(facts.plan, options, report);
  checkQuietHours(facts.plan.quietHours, report);
}

const ZONE_EXAMPLES = '"America/Los_Angeles" or "Europe/Paris"';

/**
 * Why a zone name is refused, with what to write instead (DESIGN section 10, "Zone names"): the
 * did-you-mean for an abbreviation with one reading, the candidates for an ambiguous one.
 */
export function zoneProblem(zone: unknown): string {
  const shown = describeValue(zone);
  const check: TimezoneCheck =
    typeof zone === 'string' ? checkTimezone(zone) : { valid: false, reason: 'unknown' };
  if (check.reason === 'abbreviation') {
    if (check.suggestion !== undefined)
      return `${shown} is not an IANA time zone name; did you mean "${check.suggestion}"?`;
    if (check.candidates !== undefined)
      return `${shown} is not an IANA time zone name, and it is ambiguous: it may mean ${quoteList(check.candidates)}. Write the zone name of the place you mean.`;
    return `${shown} is an abbreviation, not an IANA time zone name; write a zone name such as ${ZONE_EXAMPLES}.`;
  }
  if (check.reason === 'offset')
    return `${shown} is a UTC offset, not an IANA time zone (an offset follows no daylight saving rules); write a zone name such as ${ZONE_EXAMPLES}.`;
  if (check.reason === 'unsupported')
    return `${shown} is an IANA name, but this engine's time zone data does not know it yet; write the zone of a neighbouring place on the same clock.`;
  return `${shown} is not an IANA time zone name; write one such as ${ZONE_EXAMPLES}.`;
}

/** The `fixed_offset_timezone` warning's sentence for a valid zone, or undefined for a zone of a place. */
function fixedOffsetProblem(zone: string): string | undefined {
  const check = checkTimezone(zone);
  if (!check.fixedOffset) return undefined;
  const instead =
    check.suggestion !== undefined
      ? `If you mean the clock of a place, write its zone, such as "${check.suggestion}".`
      : "If you mean the clock of a place, write that place's zone name instead.";
  const posix = zone.startsWith('Etc/GMT') ? ' (the tz database inverts the sign of Etc/GMT names)' : '';
  return `${JSON.stringify(zone)} is the fixed offset UTC${check.offset}${posix} with no daylight saving time: local send times and quiet hours will not follow any region's clock changes. ${instead}`;
}

function checkPlanTimezone(plan: Record<string, unknown>, options: ZoneOptions, report: ReportIssue): void {
  const zone = plan.timezone;
  if (zone !== undefined) {
    if (typeof zone === 'string' && checkTimezone(zone).valid) {
      const fixed = fixedOffsetProblem(zone);
      if (fixed !== undefined) report('/timezone', 'fixed_offset_timezone', `timezone ${fixed}`);
      return;
    }
    // Only the abbreviations with one reading everywhere get a fix; "BST" and "IST" do not.
    const meant = obviousZone(zone);
    report(
      '/timezone',
      'invalid_timezone',
      `timezone ${zoneProblem(zone)} Or leave timezone out to use the contact's zone.`,
      meant !== undefined && checkTimezone(meant).valid
        ? [{ op: 'replace', path: '/timezone', value: meant }]
        : undefined,
    );
    return;
  }
  // Without contact information the zone may still come from the contact at activation.
  const contactZone = options.contactTimezone;
  if (contactZone === undefined) return;
  if (typeof contactZone === 'string' && checkTimezone(contactZone).valid) {
    const fixed = fixedOffsetProblem(contactZone);
    if (fixed !== undefined)
      report(
        '/timezone',
        'fixed_offset_timezone',
        `The plan has no timezone, so the contact's is used: ${fixed} Or add "timezone" to the plan.`,
      );
    return;
  }
  const contactPart =
    contactZone === null
      ? 'the contact has no timezone, so no local send time can be computed.'
      : `the contact's timezone cannot be used: ${zoneProblem(contactZone)}`;
  report(
    '/timezone',
    'invalid_timezone',
    `The plan has no timezone and ${contactPart} Add "timezone" with an IANA zone such as "America/New_York" to the plan, or give the contact a valid timezone.`,
  );
}

function minutesOf(hhmm: string): number {
  const [hours, minutes] = hhmm.split(':').map(Number);
  return (hours ?? 0) * 60 + (minutes ?? 0);
}

function checkQuietHours(quietHours: unknown, report: ReportIssue): void {
  if (quietHours === undefined) return;
  if (!isRecord(quietHours)) {
    report(
      '/quietHours',
      'invalid_quiet_hours',
      `quietHours must be an object {"start": "HH:MM", "end": "HH:MM"} in the plan's local time, e.g. {"start": "21:00", "end": "07:30"}; got ${describeValue(quietHours)}.`,
    );
    return;
  }
  let bothValid = true;
  for (const field of ['start', 'end'] as const) {
    const value = quietHours[field];
    if (typeof value === 'string' && isValidTimeOfDay(value)) continue;
    bothValid = false;
    const example = field === 'start' ? '"21:00"' : '"07:30"';
    const meant = obviousTimeOfDay(value);
    report(
      `/quietHours/${field}`,
      'invalid_quiet_hours',
      value === undefined
        ? `quietHours has no "${field}"; give a 24-hour local time "HH:MM" such as ${example}.`
        : `quietHours.${field} must be a 24-hour local time "HH:MM" such as ${example}; got ${describeValue(value)}.${meant !== undefined ? ` Did you mean "${meant}"?` : ''}`,
      meant !== undefined ? [{ op: 'replace', path: `/quietHours/${field}`, value: meant }] : undefined,
    );
  }
  const { start, end } = quietHours;
  if (
    bothValid &&
    typeof start === 'string' &&
    typeof end === 'string' &&
    minutesOf(start) === minutesOf(end)
  ) {
    report(
      '/quietHours',
      'invalid_quiet_hours',
      `quietHours start and end are both "${start}", which defines no window (or a whole day of it). Give two different times, e.g. {"start": "21:00", "end": "07:30"}, or leave quietHours out.`,
    );
  }
}

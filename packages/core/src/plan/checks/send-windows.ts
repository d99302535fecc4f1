import { holidaysProblems, sendWindowProblems } from '@campaign/schedule-utils';
import type { PlanFacts } from '../plan-facts.ts';
import type { JsonPatchOperation, PlanIssueCode, ReportIssue } from '../plan-issues.ts';
import { DAY_NAMES, type DayName } from '../plan-schema.ts';
import { isRecord, quoteList } from '../raw-value.ts';

/*
 * Send windows (on the plan or a send node) and holidays (DESIGN section 10), judged by the
 * schedule rules' own checks. These are the only judge of their subtrees: the validator drops the
 * generic `schema` issues under them when one is reported here, so unknown fields are named too.
 */

const FULL_DAY_NAMES: Readonly<Record<DayName, string>> = {
  mon: 'monday',
  tue: 'tuesday',
  wed: 'wednesday',
  thu: 'thursday',
  fri: 'friday',
  sat: 'saturday',
  sun: 'sunday',
};

/** The one day name a near miss means ("Monday", "Mon", "tues" -> "mon"), else undefined. */
export function dayNameMeant(value: string): DayName | undefined {
  const text = value.trim().toLowerCase().replace(/\.$/, '');
  if (text.length < 3) return undefined;
  const matches = DAY_NAMES.filter((day) => FULL_DAY_NAMES[day].startsWith(text));
  return matches.length === 1 ? matches[0] : undefined;
}

export function checkSendWindows(facts: PlanFacts, report: ReportIssue): void {
  const { plan } = facts;
  if (plan === undefined) return;
  if (plan.sendWindow !== undefined) checkWindow(plan.sendWindow, '/sendWindow', 'the plan', report);
  if (plan.holidays !== undefined) checkHolidays(plan.holidays, report);
  for (const node of facts.nodes) {
    const window = node.node?.sendWindow;
    if (window !== undefined) checkWindow(window, `${node.path}/sendWindow`, node.label, report);
  }
}

function checkWindow(window: unknown, path: string, owner: string, report: ReportIssue): void {
  const code: PlanIssueCode = 'invalid_send_window';
  const example = 'such as {"days": ["mon", "tue", "wed", "thu", "fri"], "start": "09:00", "end": "17:00"}';
  unknownKeys(window, ['days', 'start', 'end'], path, code, 'A send window', report);
  for (const problem of sendWindowProblems(window)) {
    const at = problem.field === '' ? path : `${path}/${problem.field}`;
    const day = /^days\/(\d+)$/.exec(problem.field);
    const fix = day && isRecord(window) ? dayFix(window.days, Number(day[1]), path) : undefined;
    report(at, code, `The send window of ${owner}: ${sentence(problem.message)} Write it ${example}.`, fix);
  }
}

/** A listed day as meant: a day name as is, a near miss ("Monday") as its name, else undefined. */
function dayMeant(written: unknown): DayName | undefined {
  if (typeof written !== 'string') return undefined;
  return (DAY_NAMES as readonly string[]).includes(written) ? (written as DayName) : dayNameMeant(written);
}

/**
 * The fix of the day at `index` of a window's `days`: a near miss is replaced by its name; a day that
 * an earlier entry already means (["mon", "mon"], ["mon", "Monday"]) makes the whole list its
 * entries as meant, each once, in order (a removal by index would shift the indexes other fixes of
 * the same round point at). Undefined when the day meant is not clear.
 */
function dayFix(days: unknown, index: number, path: string): JsonPatchOperation[] | undefined {
  if (!Array.isArray(days)) return undefined;
  const meant = dayMeant(days[index]);
  if (meant === undefined) return undefined;
  if (!days.slice(0, index).some((earlier) => dayMeant(earlier) === meant)) {
    return [{ op: 'replace', path: `${path}/days/${index}`, value: meant }];
  }
  const listed: unknown[] = [];
  for (const written of days) {
    const value = dayMeant(written) ?? written;
    if (!listed.includes(value)) listed.push(value);
  }
  return [{ op: 'replace', path: `${path}/days`, value: listed }];
}

function checkHolidays(holidays: unknown, report: ReportIssue): void {
  const code: PlanIssueCode = 'invalid_holidays';
  unknownKeys(holidays, ['country', 'region', 'dates'], '/holidays', code, '"holidays"', report);
  const known = isRecord(holidays)
    ? {
        ...(typeof holidays.country === 'string' ? { country: holidays.country } : {}),
        ...(typeof holidays.region === 'string' ? { region: holidays.region } : {}),
        ...(holidays.dates !== undefined ? { dates: holidays.dates as string[] } : {}),
      }
    : holidays;
  if (isRecord(holidays)) {
    for (const field of ['country', 'region'] as const) {
      const value = holidays[field];
      if (value === undefined || typeof value === 'string') continue;
      report(
        `/holidays/${field}`,
        code,
        `"holidays.${field}" must be a string code such as ${field === 'country' ? '"DE"' : '"BY"'}.`,
      );
    }
  }
  for (const problem of holidaysProblems(known as Parameters<typeof holidaysProblems>[0])) {
    const at = problem.field === '' ? '/holidays' : `/holidays/${problem.field}`;
    report(
      at,
      code,
      `"holidays": ${sentence(problem.message)} Write it such as {"country": "DE", "region": "BY", "dates": ["2026-12-24"]}.`,
    );
  }
}

function unknownKeys(
  value: unknown,
  allowed: readonly string[],
  path: string,
  code: PlanIssueCode,
  what: string,
  report: ReportIssue,
): void {
  if (!isRecord(value)) return;
  for (const key of Object.keys(value)) {
    if (allowed.includes(key)) continue;
    report(
      `${path}/${key}`,
      code,
      `Unknown field "${key}" in ${path}; ${what} has only ${quoteList(allowed)}.`,
    );
  }
}

/** A message as a sentence: with its final stop. */
function sentence(message: string): string {
  return /[.?!]$/.test(message) ? message : `${message}.`;
}

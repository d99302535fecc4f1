import {
  checkTimezone,
  durationCovers,
  fractionalCalendarProblem,
  isValidIsoDuration,
  isValidTimeOfDay,
  isWithinMaxDuration,
  MAX_DURATION_DAYS,
  nominalDurationMs,
  type TimezoneCheck,
} from '@campaign/schedule-utils';
import { jsonFaults } from '../input/json-bounds.ts';
import { contactVariables, parseTemplate, type TemplateContact } from '../template/template.ts';
import { compareJsonPointers } from './json-pointer.ts';
import { stronglyConnectedComponents } from './plan-graph.ts';
import {
  type PlanIssue,
  type PlanIssueCode,
  PlanValidationError,
  type PlanValidationResult,
  planIssue,
} from './plan-issues.ts';
import {
  ENGAGEMENT_EVENTS,
  isEngagementEvent,
  isTimeoutEvent,
  type Plan,
  planSchema,
  TIMEOUT_EVENTS,
  TIMEOUT_FAMILY,
  type TimeoutEvent,
} from './plan-schema.ts';
import {
  capitalize,
  describeValue,
  isRecord,
  nodeLabel,
  nodeName,
  quoteList,
  transitionLabel,
} from './raw-value.ts';
import { strandedByEventIssues } from './stranded-by-event.ts';
import { mapZodIssues } from './zod-issues.ts';

export type {
  PlanIssue,
  PlanIssueCode,
  PlanIssueSeverity,
  PlanValidationResult,
} from './plan-issues.ts';
export { PLAN_ISSUE_CODES, PlanValidationError, WARNING_CODES } from './plan-issues.ts';

export interface PlanValidationOptions {
  /** The contact the plan is for; when given, template variables without a value are errors. */
  contact?: TemplateContact;
  /**
   * The contact's zone. Undefined means "not known here" (static validation): a plan without a
   * timezone is then accepted. Null or an invalid zone means the contact has none, so the plan must.
   */
  contactTimezone?: string | null;
}

type Report = (path: string, code: PlanIssueCode, message: string) => void;

interface TransitionFacts {
  path: string;
  on: unknown;
  to: unknown;
  /** The raw `after` / `within` and their nominal length, set only when the duration is valid. */
  after?: { text: string; ms: number };
  within?: { text: string; ms: number };
}

interface NodeFacts {
  index: number;
  node: Record<string, unknown> | undefined;
  id: string | undefined;
  action: unknown;
  /** `"id" (/nodes/i)`, for lists of nodes. */
  name: string;
  /** `node "id" (/nodes/i)`, for sentences. */
  label: string;
  transitions: TransitionFacts[];
}

/** The longest subject template, in characters (RFC 5322 line length). */
const MAX_SUBJECT_LENGTH = 998;
const DURATION_EXAMPLES = 'such as PT72H (72 elapsed hours), P3D (3 calendar days) or PT30M';
const TIMEOUT_EXAMPLE = '{"on": "no_open", "to": "<node id>", "after": "P3D"}';
const CONTENT_EXAMPLES = {
  subject: '"Quick question, {{name|there}}"',
  body: '"Hi {{name|there}}, ..."',
} as const;

/**
 * Validates a plan against the schema and every rule of DESIGN section 3, returning all issues at
 * once. The semantic checks read the raw input defensively, so a schema error in one place does not
 * hide a broken reference elsewhere; where a semantic check gives a specific code at a path, the
 * generic `schema` issue at that path is dropped.
 */
export function validatePlan(input: unknown, options: PlanValidationOptions = {}): PlanValidationResult {
  const parsed = planSchema.safeParse(input);
  const semantic = semanticIssues(input, options);
  const specificPaths = new Set(
    semantic.filter((issue) => issue.severity === 'error').map((issue) => issue.path),
  );
  const fromSchema = parsed.success
    ? []
    : mapZodIssues(parsed.error.issues, input).filter(
        (issue) => !(issue.code === 'schema' && specificPaths.has(issue.path)),
      );

  // Stranding is judged on the parsed plan: it needs every transition's meaning.
  const stranded = parsed.success ? strandedByEventIssues(parsed.data) : [];

  const seen = new Set<string>();
  const issues: PlanIssue[] = [];
  // Semantic issues come first so their messages win over the zod mapping for the same path and code.
  for (const issue of [...semantic, ...fromSchema, ...stranded]) {
    const key = `${issue.path}\u0000${issue.code}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push(issue);
  }
  issues.sort(
    (a, b) => compareJsonPointers(a.path, b.path) || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0),
  );

  const valid = parsed.success && !issues.some((issue) => issue.severity === 'error');
  return { valid, issues, plan: valid && parsed.success ? parsed.data : undefined };
}

/**
 * Returns the parsed plan, or throws when it has any error.
 *
 * @throws PlanValidationError (code `invalid_plan`) carrying every issue.
 */
export function assertValidPlan(input: unknown, options: PlanValidationOptions = {}): Plan {
  const result = validatePlan(input, options);
  if (!result.valid || result.plan === undefined) throw new PlanValidationError(result.issues);
  return result.plan;
}

function semanticIssues(input: unknown, options: PlanValidationOptions): PlanIssue[] {
  const issues: PlanIssue[] = [];
  const report: Report = (path, code, message) => {
    issues.push(planIssue(path, code, message));
  };
  // Text Postgres cannot store and nesting past the bound, anywhere in the plan.
  for (const fault of jsonFaults(input)) report(fault.path, 'schema', fault.message);
  if (!isRecord(input)) return issues;
  checkVersion(input.version, report);
  checkPlanTimezone(input, options, report);
  checkQuietHours(input.quietHours, report);
  checkExitOn(input.exitOn, report);
  if (Array.isArray(input.nodes)) checkNodes(input, input.nodes, options, report);
  return issues;
}

function checkVersion(version: unknown, report: Report): void {
  // A missing version is a plain schema error, reported by the zod mapping.
  if (version === undefined || version === '1.0') return;
  report(
    '/version',
    'unsupported_version',
    `Plan version ${describeValue(version)} is not supported: this engine reads version "1.0" only. Set "version": "1.0" (a string) and write the plan in the 1.0 format.`,
  );
}

const ZONE_EXAMPLES = '"America/Los_Angeles" or "Europe/Paris"';

/**
 * Why a zone name is refused, with what to write instead (DESIGN section 10, "Zone names"): the
 * did-you-mean for an abbreviation with one reading, the candidates for an ambiguous one.
 */
function zoneProblem(zone: unknown): string {
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

function checkPlanTimezone(
  plan: Record<string, unknown>,
  options: PlanValidationOptions,
  report: Report,
): void {
  const zone = plan.timezone;
  if (zone !== undefined) {
    if (typeof zone === 'string' && checkTimezone(zone).valid) {
      const fixed = fixedOffsetProblem(zone);
      if (fixed !== undefined) report('/timezone', 'fixed_offset_timezone', `timezone ${fixed}`);
      return;
    }
    report(
      '/timezone',
      'invalid_timezone',
      `timezone ${zoneProblem(zone)} Or leave timezone out to use the contact's zone.`,
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

function checkQuietHours(quietHours: unknown, report: Report): void {
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
    report(
      `/quietHours/${field}`,
      'invalid_quiet_hours',
      value === undefined
        ? `quietHours has no "${field}"; give a 24-hour local time "HH:MM" such as ${example}.`
        : `quietHours.${field} must be a 24-hour local time "HH:MM" such as ${example}; got ${describeValue(value)}.`,
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

const ALL_EVENTS: readonly string[] = [...ENGAGEMENT_EVENTS, ...TIMEOUT_EVENTS];

/** `open` -> `opened`, `not_opened` -> `no_open`: the near misses an LLM writes. */
function suggestEvent(value: string, candidates: readonly string[]): string | undefined {
  const stem = (text: string): string =>
    text
      .toLowerCase()
      .replace(/[^a-z]/g, '')
      .replace(/^not/, 'no')
      .replace(/(ies|ied|ed|es|e|d|s|y)$/, '');
  const matches = candidates.filter((candidate) => stem(candidate) === stem(value));
  return matches.length === 1 ? matches[0] : undefined;
}

function checkExitOn(exitOn: unknown, report: Report): void {
  if (!Array.isArray(exitOn)) return;
  exitOn.forEach((event: unknown, k) => {
    if (isEngagementEvent(event)) return;
    const path = `/exitOn/${k}`;
    if (isTimeoutEvent(event)) {
      report(
        path,
        'unknown_event',
        `exitOn lists engagement events that stop the campaign; "${event}" is a timeout event and belongs in a transition with "after". Use only ${quoteList(ENGAGEMENT_EVENTS)}.`,
      );
      return;
    }
    const suggestion = typeof event === 'string' ? suggestEvent(event, ENGAGEMENT_EVENTS) : undefined;
    report(
      path,
      'unknown_event',
      `exitOn item ${describeValue(event)} is not an engagement event.${suggestion ? ` Did you mean "${suggestion}"?` : ''} Use only ${quoteList(ENGAGEMENT_EVENTS)}.`,
    );
  });
}

/**
 * Validates a duration; returns its nominal length when valid. Zero is refused when `zeroProblem`
 * (why zero makes no sense) is given: for after and within, not for a send delay.
 */
function checkDuration(
  value: unknown,
  path: string,
  label: string,
  zeroProblem: string | undefined,
  report: Report,
): number | undefined {
  const expectation =
    zeroProblem === undefined ? 'an ISO 8601 duration of zero or more' : 'a positive ISO 8601 duration';
  if (typeof value !== 'string') {
    report(
      path,
      'invalid_duration',
      `${label} must be ${expectation} written as a string, ${DURATION_EXAMPLES}; got ${describeValue(value)}.`,
    );
    return undefined;
  }
  const fraction = fractionalCalendarProblem(value);
  if (fraction !== undefined) {
    report(path, 'invalid_duration', `${label} is ${JSON.stringify(value)}: ${fraction}.`);
    return undefined;
  }
  if (!isValidIsoDuration(value)) {
    // parseIsoDuration refuses every '-', so a minus sign means a negative duration was meant.
    const problem = value.includes('-') ? 'negative' : 'not an ISO 8601 duration';
    report(
      path,
      'invalid_duration',
      `${label} is ${JSON.stringify(value)}, which is ${problem}; write ${expectation} ${DURATION_EXAMPLES}.`,
    );
    return undefined;
  }
  if (zeroProblem !== undefined && !isValidIsoDuration(value, { positive: true })) {
    report(
      path,
      'invalid_duration',
      `${label} is ${JSON.stringify(value)}, which is zero: ${zeroProblem} Write ${expectation} ${DURATION_EXAMPLES}.`,
    );
    return undefined;
  }
  if (!isWithinMaxDuration(value)) {
    // Nothing in a campaign needs longer, and a far larger one cannot be scheduled at all.
    report(
      path,
      'invalid_duration',
      `${label} is ${describeValue(value)}, which is longer than the limit: every duration in a plan must be at most ${MAX_DURATION_DAYS} days; P1Y counts as 366 days, P1M as 31, P1W as 7 and P1D as 24 hours. Write a shorter one such as P30D, P6M or PT72H.`,
    );
    return undefined;
  }
  return nominalDurationMs(value);
}

function checkNodes(
  plan: Record<string, unknown>,
  rawNodes: readonly unknown[],
  options: PlanValidationOptions,
  report: Report,
): void {
  const nodes: NodeFacts[] = rawNodes.map((raw, index) => {
    const node = isRecord(raw) ? raw : undefined;
    const id = typeof node?.id === 'string' && node.id !== '' ? node.id : undefined;
    return {
      index,
      node,
      id,
      action: node?.action,
      name: nodeName(plan, index),
      label: nodeLabel(plan, index),
      transitions: [],
    };
  });

  const indicesById = new Map<string, number[]>();
  for (const { id, index } of nodes) {
    if (id === undefined) continue;
    const indices = indicesById.get(id);
    if (indices === undefined) {
      indicesById.set(id, [index]);
      continue;
    }
    indices.push(index);
    report(
      `/nodes/${index}/id`,
      'duplicate_node_id',
      `Node id "${id}" is already used by /nodes/${indices[0]}; node ids must be unique. Rename this node and point the transitions meant for it at the new id.`,
    );
  }
  const idChoices =
    indicesById.size > 0
      ? ` (one of ${quoteList([...indicesById.keys()])})`
      : ' (no node has a valid id yet)';

  const startNodeId = plan.startNodeId;
  if (typeof startNodeId === 'string' && !indicesById.has(startNodeId)) {
    report(
      '/startNodeId',
      'unknown_start_node',
      `startNodeId ${JSON.stringify(startNodeId)} names no node; set it to the id of the node to run first${idChoices}.`,
    );
  }

  const variables = options.contact ? contactVariables(options.contact) : undefined;
  for (const facts of nodes) {
    if (facts.node === undefined) continue;
    facts.transitions = checkTransitions(plan, facts, indicesById, idChoices, report);
    checkSchedule(facts, report);
    if (facts.action === 'send') checkContent(facts, variables, report);
    checkWaitForever(facts, report);
    checkWindowGaps(facts, report);
  }
  checkZeroTimeCycles(nodes, indicesById, report);
  checkReachability(nodes, indicesById, startNodeId, report);
}

function checkTransitions(
  plan: Record<string, unknown>,
  facts: NodeFacts,
  indicesById: ReadonlyMap<string, number[]>,
  idChoices: string,
  report: Report,
): TransitionFacts[] {
  const raw = facts.node?.transitions;
  if (!Array.isArray(raw)) return [];
  const transitions: TransitionFacts[] = [];
  raw.forEach((transition: unknown, j) => {
    if (!isRecord(transition)) return;
    const path = `/nodes/${facts.index}/transitions/${j}`;
    const { on, to } = transition;
    const item: TransitionFacts = { path, on, to };
    const where = transitionLabel(plan, facts.index, j);

    if (on !== undefined && !isEngagementEvent(on) && !isTimeoutEvent(on)) {
      const suggestion = typeof on === 'string' ? suggestEvent(on, ALL_EVENTS) : undefined;
      report(
        `${path}/on`,
        'unknown_event',
        `The event ${describeValue(on)} of ${where} is not known.${suggestion ? ` Did you mean "${suggestion}"?` : ''} Use an engagement event (${ENGAGEMENT_EVENTS.join(', ')}) or a timeout event with "after" (${TIMEOUT_EVENTS.join(', ')}).`,
      );
    }
    if (typeof to === 'string' && !indicesById.has(to)) {
      report(
        `${path}/to`,
        'unknown_target',
        `${capitalize(where)} goes to ${JSON.stringify(to)}, which names no node; "to" must be the id of a node${idChoices}.`,
      );
    }
    if (isTimeoutEvent(on)) {
      if (transition.after === undefined) {
        report(
          path,
          'timeout_without_after',
          `${capitalize(where)} is the timeout event "${on}" but has no "after", so it would never fire. Add "after" with a positive ISO 8601 duration, e.g. {"on": "${on}", "to": ${JSON.stringify(typeof to === 'string' ? to : '<node id>')}, "after": "P3D"}.`,
        );
      }
      if (transition.within !== undefined) {
        report(
          `${path}/within`,
          'within_on_timeout',
          `"within" bounds engagement events only, but ${where} is the timeout event "${on}", which fires "after" a duration instead. Remove "within"${transition.after === undefined ? ', or rename it to "after"' : ''}.`,
        );
      }
    }
    if (isEngagementEvent(on) && transition.after !== undefined) {
      const family = (Object.keys(TIMEOUT_FAMILY) as TimeoutEvent[]).find(
        (event) => TIMEOUT_FAMILY[event] === on,
      );
      const alternative = family
        ? ` For a timeout when "${on}" does not happen, use {"on": "${family}", "after": ...}.`
        : '';
      report(
        `${path}/after`,
        'within_on_timeout',
        `"after" sets when a timeout event (${TIMEOUT_EVENTS.join(', ')}) fires, but ${where} is the engagement event "${on}", which takes "within" to bound the time it counts in.${alternative}`,
      );
    }
    if (transition.after !== undefined) {
      const ms = checkDuration(
        transition.after,
        `${path}/after`,
        `"after" of ${where}`,
        'a timeout must fire some time after the node starts waiting.',
        report,
      );
      if (ms !== undefined) item.after = { text: String(transition.after), ms };
    }
    if (transition.within !== undefined) {
      const ms = checkDuration(
        transition.within,
        `${path}/within`,
        `"within" of ${where}`,
        'an empty window would never let the event count.',
        report,
      );
      if (ms !== undefined) item.within = { text: String(transition.within), ms };
    }
    transitions.push(item);
  });
  return transitions;
}

function checkSchedule(facts: NodeFacts, report: Report): void {
  const schedule = facts.node?.schedule;
  if (!isRecord(schedule) || schedule.delay === undefined) return;
  checkDuration(
    schedule.delay,
    `/nodes/${facts.index}/schedule/delay`,
    `schedule.delay of ${facts.label}`,
    undefined,
    report,
  );
}

function checkContent(facts: NodeFacts, variables: Record<string, string> | undefined, report: Report): void {
  for (const field of ['subject', 'body'] as const) {
    const path = `/nodes/${facts.index}/${field}`;
    const value = facts.node?.[field];
    if (value === undefined || value === null) {
      report(
        path,
        'missing_content',
        `Send ${facts.label} has no ${field}; add a non-empty "${field}" template, e.g. ${CONTENT_EXAMPLES[field]}.`,
      );
      continue;
    }
    // A wrong type is a schema error reported by the zod mapping.
    if (typeof value !== 'string') continue;
    if (value.trim() === '') {
      report(
        path,
        'missing_content',
        `Send ${facts.label} has an empty ${field}; write the ${field} text, e.g. ${CONTENT_EXAMPLES[field]}.`,
      );
      continue;
    }
    if (field === 'subject' && value.length > MAX_SUBJECT_LENGTH) {
      // RFC 5322: a header line is at most 998 characters.
      report(
        path,
        'schema',
        `The subject of ${facts.label} is ${value.length} characters long; the limit is ${MAX_SUBJECT_LENGTH} (the longest line an email header may have). Shorten it.`,
      );
      continue;
    }
    const parsed = parseTemplate(value);
    if (!parsed.ok) {
      report(
        path,
        'template_syntax',
        `The ${field} of ${facts.label} has a template error: ${parsed.message} Write variables as {{name}} or {{name|default}}.`,
      );
      continue;
    }
    if (variables === undefined) continue;
    const missing: string[] = [];
    for (const segment of parsed.segments) {
      if (segment.kind !== 'var' || segment.fallback !== undefined || Object.hasOwn(variables, segment.name))
        continue;
      if (!missing.includes(segment.name)) missing.push(segment.name);
    }
    if (missing.length === 0) continue;
    const list = missing.map((name) => `{{${name}}}`).join(', ');
    const [first] = missing;
    report(
      path,
      'missing_variable',
      `The ${field} of ${facts.label} uses ${list} but the contact has no value for ${missing.length === 1 ? 'it' : 'them'} and no default is given, so the email would have a hole. Add the value to the contact, or write a default such as {{${first}|there}} (an empty default {{${first}|}} renders nothing).`,
    );
  }
}

function checkWaitForever(facts: NodeFacts, report: Report): void {
  const waits = facts.action === 'wait' || (facts.action === 'send' && facts.transitions.length > 0);
  // A timeout without `after` still counts: that defect is reported as timeout_without_after.
  if (!waits || facts.transitions.some((transition) => isTimeoutEvent(transition.on))) return;
  const path = `/nodes/${facts.index}`;
  if (facts.action === 'wait') {
    report(
      path,
      'wait_forever',
      `Wait ${facts.label} has no timeout transition, so a contact who never engages keeps the campaign waiting forever. Add a timeout transition (no_open, no_click or no_reply with "after"), e.g. ${TIMEOUT_EXAMPLE}.`,
    );
    return;
  }
  report(
    path,
    'wait_forever',
    `Send ${facts.label} has transitions but no timeout transition, so if none of its events happens the campaign waits forever. Add a timeout transition such as ${TIMEOUT_EXAMPLE}, or remove all transitions so the campaign completes after this send.`,
  );
}

function checkWindowGaps(facts: NodeFacts, report: Report): void {
  for (const transition of facts.transitions) {
    const { on, within } = transition;
    if (!isEngagementEvent(on) || within === undefined) continue;
    const family = (Object.keys(TIMEOUT_FAMILY) as TimeoutEvent[]).find(
      (event) => TIMEOUT_FAMILY[event] === on,
    );
    if (family === undefined) continue;
    // The earliest timeout of the family is the one that leaves the node.
    let earliest: { text: string; ms: number } | undefined;
    for (const other of facts.transitions) {
      if (other.on !== family || other.after === undefined) continue;
      if (earliest === undefined || other.after.ms < earliest.ms) earliest = other.after;
    }
    // Compared in real time, not nominally: P1D is 23 h on a spring-forward day and PT24H is not.
    if (earliest === undefined || durationCovers(within.text, earliest.text)) continue;
    report(
      `${transition.path}/within`,
      'window_gap',
      `In ${facts.label}, "${on}" counts only within ${within.text} but the "${family}" timeout fires after ${earliest.text}: an event "${on}" arriving between the two matches neither transition and strands the campaign. Make "within" at least ${earliest.text}, or remove "within" so the event counts until the timeout.`,
    );
  }
}

function targetsOf(to: unknown, indicesById: ReadonlyMap<string, number[]>): readonly number[] {
  return typeof to === 'string' ? (indicesById.get(to) ?? []) : [];
}

/**
 * Entering a wait node replays the events already recorded for its reference message, so an
 * engagement edge between wait nodes takes no time; a cycle made only of such edges can spin
 * forever. A send needs a new message and event, and a timeout edge waits a positive time.
 */
function checkZeroTimeCycles(
  nodes: readonly NodeFacts[],
  indicesById: ReadonlyMap<string, number[]>,
  report: Report,
): void {
  const successors = nodes.map((facts) => {
    if (facts.action !== 'wait') return [];
    const next = new Set<number>();
    for (const transition of facts.transitions) {
      if (!isEngagementEvent(transition.on)) continue;
      for (const target of targetsOf(transition.to, indicesById)) {
        if (nodes[target]?.action === 'wait') next.add(target);
      }
    }
    return [...next];
  });
  for (const component of stronglyConnectedComponents(nodes.length, successors)) {
    const [first] = component;
    if (first === undefined) continue;
    const selfLoop = component.length === 1 && (successors[first] ?? []).includes(first);
    if (component.length < 2 && !selfLoop) continue;
    const names = component.map((index) => nodes[index]?.name ?? `/nodes/${index}`);
    const subject = selfLoop
      ? `Wait node ${names.join('')} has an engagement transition to itself`
      : `Wait nodes ${names.slice(0, -1).join(', ')} and ${names.at(-1)} form a cycle linked only by engagement transitions`;
    report(
      `/nodes/${first}`,
      'zero_time_cycle',
      `${subject}. Entering a wait node replays the events already recorded, so one event can drive the campaign around this cycle forever without time passing. Put a send node in the cycle, or leave through a timeout transition (no_open, no_click or no_reply with "after") instead.`,
    );
  }
}

function checkReachability(
  nodes: readonly NodeFacts[],
  indicesById: ReadonlyMap<string, number[]>,
  startNodeId: unknown,
  report: Report,
): void {
  const start = typeof startNodeId === 'string' ? indicesById.get(startNodeId) : undefined;
  // Without a usable startNodeId, the first node is the likeliest intended start; measuring from it
  // still finds orphans, where skipping would hide them until the start is fixed.
  const firstNode = nodes.find((facts) => facts.node !== undefined);
  const roots = start ?? (firstNode ? [firstNode.index] : []);
  if (roots.length === 0) return;
  const origin =
    start !== undefined ? `startNodeId ${JSON.stringify(startNodeId)}` : `the first node, ${firstNode?.name}`;
  const note =
    start !== undefined
      ? ''
      : ' (startNodeId names no node, so reachability is measured from the first node.)';
  const reached = new Set<number>(roots);
  const queue = [...roots];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    for (const transition of nodes[next]?.transitions ?? []) {
      for (const target of targetsOf(transition.to, indicesById)) {
        if (reached.has(target)) continue;
        reached.add(target);
        queue.push(target);
      }
    }
  }
  for (const facts of nodes) {
    if (facts.node === undefined || reached.has(facts.index)) continue;
    report(
      `/nodes/${facts.index}`,
      'unreachable_node',
      `${capitalize(facts.label)} is unreachable: no chain of transitions from ${origin} leads to it, so it never runs.${note} Point a transition at it, or remove it.`,
    );
  }
}

import type { z } from 'zod';
import { toJsonPointer } from './json-pointer.ts';
import { idAt, type PlanFacts } from './plan-facts.ts';
import { type PlanIssue, planIssue } from './plan-issues.ts';
import {
  branchNodeSchema,
  ENGAGEMENT_EVENTS,
  endNodeSchema,
  type Plan,
  planSchema,
  quietHoursSchema,
  sendNodeSchema,
  splitNodeSchema,
  TIMEOUT_EVENTS,
  transitionSchema,
  waitNodeSchema,
} from './plan-schema.ts';
import { capitalize, describeValue, nodeLabel, quoteList, transitionLabel, valueAt } from './raw-value.ts';
import { misplacedDelayFix } from './repair/misplaced-delay.ts';

type ZodIssue = z.core.$ZodIssue;
type Path = (string | number)[];

const NODE_ACTIONS =
  '"send" (an email with subject and body), "wait" (no message, only transitions) or "end" (terminal)';
const NODE_ACTIONS_V11 =
  '"send" (an email with subject and body, or an SMS with "channel": "sms" and text), "wait" (no message, only transitions), "branch" (a choice by condition), "split" (an A/B split) or "end" (terminal)';

const FIELD_HINTS: Readonly<Record<string, string>> = {
  version: 'Set "version": "1.0", or "1.1" to use send windows, holidays, expiry, branch, split or SMS.',
  startNodeId: 'Set it to the id of the node entered at activation.',
  nodes: 'Give a non-empty array of nodes.',
  id: 'Every node needs a unique, non-empty string id; transitions point at it.',
  transitions: 'Give an array of transitions such as [{"on": "no_open", "to": "<node id>", "after": "P3D"}].',
  on: `Name an engagement event (${ENGAGEMENT_EVENTS.join(', ')}) or a timeout event (${TIMEOUT_EVENTS.join(', ')}).`,
  to: 'Name the id of the node to enter.',
  start: 'Use a 24-hour local time "HH:MM", such as "21:00".',
  end: 'Use a 24-hour local time "HH:MM", such as "07:30".',
};

/** The schema pass: the zod schema's verdict on the input, with its issues in the plan's words. */
export function schemaPass(facts: PlanFacts): { plan: Plan | undefined; issues: PlanIssue[] } {
  const parsed = planSchema.safeParse(facts.input);
  return parsed.success
    ? { plan: parsed.data, issues: [] }
    : { plan: undefined, issues: mapZodIssues(parsed.error.issues, facts) };
}

/**
 * Turns zod issues into plan issues: the specific codes of DESIGN section 3 where the zod path
 * identifies one (version, events, quiet hours, send content), `schema` otherwise, and one issue per
 * unknown key so each misplaced field is pointed at.
 */
function mapZodIssues(issues: readonly ZodIssue[], facts: PlanFacts): PlanIssue[] {
  const mapped: PlanIssue[] = [];
  for (const issue of issues) {
    const path: Path = issue.path.map((segment) => (typeof segment === 'number' ? segment : String(segment)));
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const fix = misplacedDelayFix(facts.input, path, key);
        mapped.push(
          planIssue(toJsonPointer([...path, key]), 'schema', unknownKeyMessage(facts, path, key), fix),
        );
      }
      continue;
    }
    mapped.push(mapIssue(issue, path, facts));
  }
  return mapped;
}

function mapIssue(issue: ZodIssue, path: Path, facts: PlanFacts): PlanIssue {
  const pointer = toJsonPointer(path);
  const value = valueAt(facts.input, path);
  const [first, , third, , fifth] = path;
  const key = path[path.length - 1];

  if (issue.code === 'invalid_union' && key === 'action') {
    const what = value === undefined ? 'has no "action"' : `has the action ${describeValue(value)}`;
    return planIssue(
      pointer,
      'schema',
      `${capitalize(context(facts, path))} ${what}; "action" must be ${valueAt(facts.input, ['version']) === '1.1' ? NODE_ACTIONS_V11 : NODE_ACTIONS}.`,
    );
  }
  if (path.length === 1 && first === 'version') {
    return value === undefined
      ? planIssue(pointer, 'schema', `The plan has no "version". ${FIELD_HINTS.version}`)
      : planIssue(
          pointer,
          'unsupported_version',
          `Plan version ${describeValue(value)} is not supported (versions "1.0" and "1.1" are). ${FIELD_HINTS.version}`,
        );
  }
  if (first === 'exitOn' && path.length === 2) {
    return planIssue(
      pointer,
      'unknown_event',
      `exitOn item ${describeValue(value)} is not an engagement event; use ${quoteList(ENGAGEMENT_EVENTS)}.`,
    );
  }
  if (first === 'quietHours') {
    return planIssue(
      pointer,
      'invalid_quiet_hours',
      `quietHours must be {"start": "HH:MM", "end": "HH:MM"}; ${pointer} is ${describeValue(value)}.`,
    );
  }
  if (
    first === 'nodes' &&
    path.length === 5 &&
    third === 'transitions' &&
    fifth === 'on' &&
    value !== undefined
  ) {
    return planIssue(
      pointer,
      'unknown_event',
      `Transition event ${describeValue(value)} is not known. ${FIELD_HINTS.on ?? ''}`,
    );
  }
  if (first === 'nodes' && path.length === 3 && (third === 'subject' || third === 'body') && value == null) {
    return planIssue(
      pointer,
      'missing_content',
      `Send ${context(facts, path)} has no ${third}; a send node needs a non-empty subject and body.`,
    );
  }
  return planIssue(pointer, 'schema', genericMessage(issue, path, value, facts));
}

function genericMessage(issue: ZodIssue, path: Path, value: unknown, facts: PlanFacts): string {
  const key = path[path.length - 1];
  const field = JSON.stringify(String(key));
  const hint = typeof key === 'string' && FIELD_HINTS[key] ? ` ${FIELD_HINTS[key]}` : '';
  if (path.length === 0) {
    return `The plan must be a JSON object with "version", "startNodeId" and "nodes"; got ${describeValue(value)}.`;
  }
  if (path.length === 2 && path[0] === 'nodes') {
    return `Each entry of "nodes" must be an object such as {"id": "done", "action": "end"}; /nodes/${String(key)} is ${describeValue(value)}.`;
  }
  if (value === undefined && typeof key === 'string') {
    return `${capitalize(context(facts, path))}: required field ${field} is missing.${hint}`;
  }
  if (typeof key === 'number' && issue.code === 'invalid_type') {
    const what =
      path[path.length - 2] === 'transitions' ? 'a transition object' : withArticle(issue.expected);
    return `${toJsonPointer(path)} must be ${what}; got ${describeValue(value)}.`;
  }
  switch (issue.code) {
    case 'invalid_type':
      return `${capitalize(context(facts, path))}: ${field} must be ${withArticle(issue.expected)}; got ${describeValue(value)}.${hint}`;
    case 'too_small':
      if (path.length === 1 && key === 'nodes') {
        return '"nodes" is empty; a plan needs at least one node, including the one named by startNodeId.';
      }
      return `${capitalize(context(facts, path))}: ${field} must not be empty.${hint}`;
    case 'invalid_value':
      return `${capitalize(context(facts, path))}: ${field} must be one of ${quoteList(issue.values.map(String))}; got ${describeValue(value)}.`;
    default:
      return `${capitalize(context(facts, path))}: ${issue.message}.${hint}`;
  }
}

function withArticle(expected: string): string {
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

/** Where a path points, in words: the plan, a node, a transition of a node, or a plain pointer. */
function context(facts: PlanFacts, path: Path): string {
  const [first, second, third, fourth] = path;
  if (first === 'nodes' && typeof second === 'number') {
    if (third === 'transitions' && typeof fourth === 'number')
      return transitionLabel(idAt(facts, second), second, fourth);
    return nodeLabel(idAt(facts, second), second);
  }
  const parent = path.slice(0, -1);
  return parent.length === 0 ? 'The plan' : toJsonPointer(parent);
}

function allowedKeys(facts: PlanFacts, parent: Path): string[] {
  const [first, second, third, fourth] = parent;
  if (parent.length === 0) return Object.keys(planSchema.shape);
  if (parent.length === 1 && first === 'quietHours') return Object.keys(quietHoursSchema.shape);
  if (first === 'nodes' && typeof second === 'number') {
    if (parent.length === 2) {
      const action = valueAt(facts.input, [...parent, 'action']);
      if (action === 'wait') return Object.keys(waitNodeSchema.shape);
      if (action === 'end') return Object.keys(endNodeSchema.shape);
      if (action === 'branch') return Object.keys(branchNodeSchema.shape);
      if (action === 'split') return Object.keys(splitNodeSchema.shape);
      return Object.keys(sendNodeSchema.shape);
    }
    if (parent.length === 3 && third === 'schedule')
      return valueAt(facts.input, ['version']) === '1.1' ? ['delay', 'expireAfter'] : ['delay'];
    if (parent.length === 4 && third === 'transitions' && typeof fourth === 'number') {
      return Object.keys(transitionSchema.shape);
    }
    if (parent.length === 4 && third === 'branches' && typeof fourth === 'number') return ['when', 'to'];
  }
  return [];
}

const normalizeKey = (key: string): string => key.toLowerCase().replace(/[^a-z0-9]/g, '');

/** Hints for the fields an LLM most often misplaces or misnames. */
function misplacedFieldHint(facts: PlanFacts, parent: Path, key: string): string | undefined {
  const [first, second, third] = parent;
  const isNode = parent.length === 2 && first === 'nodes' && typeof second === 'number';
  const isTransition = parent.length === 4 && first === 'nodes' && third === 'transitions';
  if (isNode) {
    const action = valueAt(facts.input, [...parent, 'action']);
    if (key === 'delay') {
      if (action === 'send') {
        const written = valueAt(facts.input, [...parent, key]);
        const example = typeof written === 'string' ? JSON.stringify(written) : '"P1D"';
        return `A send delay belongs inside "schedule": write "schedule": {"delay": ${example}}.`;
      }
      return 'Only a send node has a delay, inside "schedule": {"delay": "P1D"}; a wait node waits through a timeout transition such as {"on": "no_open", "to": "<node id>", "after": "P1D"}.';
    }
    if (key === 'after' || key === 'within' || key === 'timeout') {
      return `"${key === 'timeout' ? 'after' : key}" belongs on a transition, e.g. {"on": "no_open", "to": "<node id>", "after": "P3D"}.`;
    }
    if (key === 'next' || key === 'to') {
      return 'Nodes link to each other through "transitions": [{"on": "<event>", "to": "<node id>"}].';
    }
    if (action === 'end' && key === 'transitions') {
      return 'An "end" node is terminal and takes no transitions; remove them, or use action "wait" to keep reacting to events.';
    }
    if (
      action !== 'send' &&
      (key === 'subject' || key === 'body' || key === 'schedule' || key === 'channel')
    ) {
      return `Only a "send" node has "${key}"; use action "send" to send an email.`;
    }
  }
  if (parent.length === 4 && first === 'nodes' && third === 'branches') {
    if (['if', 'condition', 'where', 'test'].includes(key))
      return 'The condition of a branch goes in "when".';
    if (['target', 'next', 'node', 'goto', 'then'].includes(key))
      return 'The node a branch enters goes in "to".';
  }
  if (isTransition) {
    if (['event', 'trigger', 'type', 'when'].includes(key)) return 'The event of a transition goes in "on".';
    if (['target', 'next', 'node', 'goto', 'then'].includes(key)) {
      return 'The node a transition enters goes in "to".';
    }
    if (['delay', 'timeout', 'wait', 'duration'].includes(key)) {
      return 'A timeout event (no_open, no_click, no_reply) takes "after"; an engagement event may take "within".';
    }
  }
  return undefined;
}

function unknownKeyMessage(facts: PlanFacts, parent: Path, key: string): string {
  const allowed = allowedKeys(facts, parent);
  const [first, second, third] = parent;
  let where = toJsonPointer(parent);
  if (parent.length === 0) where = 'the plan';
  else if (first === 'nodes' && typeof second === 'number') {
    where =
      third === 'schedule'
        ? `"schedule" of ${nodeLabel(idAt(facts, second), second)}`
        : context(facts, [...parent, key]);
  }
  const close = allowed.find((candidate) => normalizeKey(candidate) === normalizeKey(key));
  const hint = misplacedFieldHint(facts, parent, key) ?? (close ? `Did you mean "${close}"?` : undefined);
  const allowedText = allowed.length > 0 ? ` The fields allowed here are ${quoteList(allowed)}.` : '';
  return `Unknown field "${key}" on ${where}.${hint ? ` ${hint}` : ''} Unknown fields are refused rather than ignored.${allowedText}`;
}

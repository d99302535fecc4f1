import { jsonFaults, MAX_JSON_DEPTH } from '../input/json-bounds.ts';
import { checkBranching } from './checks/branching.ts';
import { checkChannels, type ValidationContact } from './checks/channels.ts';
import { checkContent } from './checks/content.ts';
import { checkGoals } from './checks/goals.ts';
import { checkGraph } from './checks/graph.ts';
import { checkSendWindows } from './checks/send-windows.ts';
import { strandedByEventIssues } from './checks/stranded-by-event.ts';
import { checkStructure } from './checks/structure.ts';
import { checkThreads } from './checks/threads.ts';
import { checkTimeouts } from './checks/timeouts.ts';
import { checkVersionFields } from './checks/versions.ts';
import { checkZones, type ZoneOptions } from './checks/zones.ts';
import { compareJsonPointers, toJsonPointer } from './json-pointer.ts';
import { type PlanFacts, readPlanFacts } from './plan-facts.ts';
import {
  type PlanIssue,
  PlanValidationError,
  type PlanValidationResult,
  planIssue,
  type ReportIssue,
} from './plan-issues.ts';
import type { Plan } from './plan-schema.ts';
import { schemaPass } from './zod-issues.ts';

export type { ValidationContact } from './checks/channels.ts';
export { sendTimeIssues } from './checks/send-time.ts';
export type {
  PlanIssue,
  PlanIssueCode,
  PlanIssueSeverity,
  PlanValidationResult,
} from './plan-issues.ts';
export { PLAN_ISSUE_CODES, PlanValidationError, WARNING_CODES } from './plan-issues.ts';

export interface PlanValidationOptions extends ZoneOptions {
  /**
   * The contact the plan is for; when given, template variables without a value are errors, and
   * each channel's address must be there (`missing_email`, `missing_phone`, `invalid_phone`).
   */
  contact?: ValidationContact;
}

/**
 * Validates a plan against the schema and every rule of DESIGN section 3, returning all issues at
 * once. The input is read once into facts; then the schema pass and each family of semantic checks
 * (structure, zones, timeouts, content, graph) take what they need from the facts, so a schema
 * error in one place does not hide a broken reference elsewhere. Where a semantic check gives a
 * specific code at a path, the generic `schema` issue at that path is dropped.
 */
export function validatePlan(input: unknown, options: PlanValidationOptions = {}): PlanValidationResult {
  // The schema pass and the condition checks recurse: a plan nested thousands of levels deep (a `not`
  // chain, say) would exhaust the stack. They judge a copy cut at the bound (deeper containers become
  // null) and say nothing at or under a cut, where jsonFaults reports the nesting on the input as given.
  const cut = nestedTooDeep(input, MAX_JSON_DEPTH)
    ? cutAtDepth(input, MAX_JSON_DEPTH)
    : { value: input, paths: [] };
  const facts = readPlanFacts(cut.value);
  const schema = schemaPass(facts);
  // First, so that its message wins at a path another check also reports as `schema`: text Postgres
  // cannot store and nesting past the bound, anywhere in the plan.
  const bounds = jsonFaults(input).map((fault) => planIssue(fault.path, 'schema', fault.message));
  const beyondCut = (issue: PlanIssue): boolean => cut.paths.some((path) => isUnder(issue.path, path));
  const semantic = [...bounds, ...semanticIssues(facts, options).filter((issue) => !beyondCut(issue))];
  const specificPaths = new Set(
    semantic.filter((issue) => issue.severity === 'error').map((issue) => issue.path),
  );
  const ownedRoots = new Set(semantic.flatMap((issue) => ownedRoot(issue) ?? []));
  // A cut inside a field with its own code: the zod union above it fails too, but the nesting is the fault.
  for (const path of cut.paths) {
    for (const { root } of OWNED_SUBTREES) {
      const match = root.exec(path);
      if (match) ownedRoots.add(match[0]);
    }
  }
  const fromSchema = schema.issues.filter(
    (issue) =>
      !(
        issue.code === 'schema' &&
        (specificPaths.has(issue.path) ||
          [...ownedRoots].some((root) => isUnder(issue.path, root)) ||
          beyondCut(issue))
      ),
  );

  // Stranding is judged on the parsed plan: it needs every transition's meaning.
  const stranded = schema.plan !== undefined ? strandedByEventIssues(schema.plan) : [];

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

  const valid = schema.plan !== undefined && !issues.some((issue) => issue.severity === 'error');
  return { valid, issues, plan: valid ? schema.plan : undefined };
}

/** Whether some object or array of `value` lies deeper than `maxDepth` levels; iterative, any depth is safe. */
function nestedTooDeep(value: unknown, maxDepth: number): boolean {
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const item = stack.pop() as { value: unknown; depth: number };
    if (typeof item.value !== 'object' || item.value === null) continue;
    if (item.depth + 1 > maxDepth) return true;
    for (const child of Object.values(item.value)) stack.push({ value: child, depth: item.depth + 1 });
  }
  return false;
}

/**
 * A copy of `value` in which every object or array deeper than `maxDepth` levels is null, with the
 * JSON pointers of those cuts (the paths jsonFaults reports); iterative, so any depth is safe.
 */
function cutAtDepth(value: unknown, maxDepth: number): { value: unknown; paths: string[] } {
  const root: Record<string, unknown> = { value };
  const paths: string[] = [];
  type Item = { parent: Record<string, unknown>; key: string; segments: string[] };
  const stack: Item[] = [{ parent: root, key: 'value', segments: [] }];
  while (stack.length > 0) {
    const { parent, key, segments } = stack.pop() as Item;
    const current = parent[key];
    if (typeof current !== 'object' || current === null) continue;
    if (segments.length + 1 > maxDepth) {
      parent[key] = null;
      paths.push(toJsonPointer(segments));
      continue;
    }
    const copy = (Array.isArray(current) ? [...current] : { ...current }) as Record<string, unknown>;
    parent[key] = copy;
    for (const child of Object.keys(copy))
      stack.push({ parent: copy, key: child, segments: [...segments, child] });
  }
  return { value: root.value, paths };
}

/** The fields whose faults take their own code, with the pattern of their subtree's root. */
const OWNED_SUBTREES: ReadonlyArray<{ codes: readonly string[]; root: RegExp }> = [
  { codes: ['invalid_send_window'], root: /^(?:\/nodes\/\d+)?\/sendWindow(?=\/|$)/ },
  { codes: ['invalid_holidays'], root: /^\/holidays(?=\/|$)/ },
  { codes: ['invalid_branch', 'channel_event_mismatch'], root: /^\/nodes\/\d+\/branches\/\d+\/when(?=\/|$)/ },
  { codes: ['invalid_split'], root: /^\/nodes\/\d+\/variants(?=\/|$)/ },
  { codes: ['invalid_goal'], root: /^\/goals(?=\/|$)/ },
];

/**
 * The root of the subtree (a send window, the holidays, a branch condition, a split's variants) an
 * issue's code owns, when it is reported inside one: the `schema` issues under it are then dropped.
 */
function ownedRoot(issue: PlanIssue): string | undefined {
  for (const { codes, root } of OWNED_SUBTREES) {
    if (codes.includes(issue.code)) {
      const match = root.exec(issue.path);
      if (match) return match[0];
    }
  }
  return undefined;
}

function isUnder(path: string, root: string): boolean {
  return path === root || path.startsWith(`${root}/`);
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

function semanticIssues(facts: PlanFacts, options: PlanValidationOptions): PlanIssue[] {
  const issues: PlanIssue[] = [];
  const report: ReportIssue = (path, code, message, fix) => {
    issues.push(planIssue(path, code, message, fix));
  };

  checkStructure(facts, report);
  checkVersionFields(facts, report);
  checkZones(facts, options, report);
  checkTimeouts(facts, report);
  checkSendWindows(facts, report);
  checkBranching(facts, report);
  checkGoals(facts, report);
  checkContent(facts, options.contact, report);
  checkChannels(facts, options.contact, report);
  checkThreads(facts, report);
  checkGraph(facts, report);
  return issues;
}

import { type NodeFacts, type PlanFacts, targetsOf } from '../plan-facts.ts';
import type { ReportIssue } from '../plan-issues.ts';
import { ENGAGED_EVENTS } from '../plan-schema.ts';
import { describeValue, isRecord, quoteList } from '../raw-value.ts';
import { GOAL_NAME_RULE, isGoalName } from './goals.ts';

/*
 * Branch and split nodes (DESIGN section 10): a branch's `otherwise` and conditions, a split's
 * variants. These checks are the only judge of a condition and of `variants`: the validator drops
 * the generic `schema` issues under them when one is reported here, so each fault must be named.
 */

const OPERATORS = ['equals', 'notEquals', 'in', 'gte', 'lte', 'exists', 'contains'] as const;
const CONDITION_EXAMPLE =
  '{"attribute": "employees", "gte": 200}, {"engaged": "opened"}, {"event": "signed_up"}, {"all": [...]}, {"any": [...]} or {"not": {...}}';
const MAX_VARIANTS = 10;

export function checkBranching(facts: PlanFacts, report: ReportIssue): void {
  for (const node of facts.nodes) {
    if (node.node === undefined) continue;
    if (node.action === 'branch') checkBranch(facts, node, node.node, report);
    if (node.action === 'split') checkSplit(node, node.node, report);
  }
}

function checkBranch(
  facts: PlanFacts,
  node: NodeFacts,
  raw: Record<string, unknown>,
  report: ReportIssue,
): void {
  if (raw.otherwise === undefined) {
    report(
      `${node.path}/otherwise`,
      'invalid_branch',
      `Branch ${node.label} has no "otherwise": when no branch holds the campaign needs somewhere to go. Add "otherwise": "<node id>".`,
    );
  }
  const { branches } = raw;
  if (!Array.isArray(branches)) return; // a missing or non-array `branches` is a schema error
  if (branches.length === 0) {
    report(
      `${node.path}/branches`,
      'invalid_branch',
      `Branch ${node.label} has no branches; give at least one {"when": <condition>, "to": "<node id>"}, or replace the node by its "otherwise" target.`,
    );
  }
  branches.forEach((branch: unknown, k) => {
    const path = `${node.path}/branches/${k}`;
    if (!isRecord(branch)) return; // a schema error
    if (branch.when === undefined) {
      report(
        `${path}/when`,
        'invalid_branch',
        `${path} has no "when"; give a condition such as ${CONDITION_EXAMPLE}.`,
      );
      return;
    }
    checkCondition(facts, branch.when, `${path}/when`, report);
  });
}

function checkCondition(facts: PlanFacts, condition: unknown, path: string, report: ReportIssue): void {
  const fault = (message: string, at = path): void => report(at, 'invalid_branch', message);
  if (!isRecord(condition)) {
    fault(
      `The condition at ${path} is ${describeValue(condition)}; write an object such as ${CONDITION_EXAMPLE}.`,
    );
    return;
  }
  const keys = Object.keys(condition);
  const combinator = (['all', 'any', 'not'] as const).find((key) => key in condition);
  if (combinator !== undefined && keys.length > 1) {
    fault(onlyKey(path, combinator, keys));
  } else if (combinator === 'not') {
    checkCondition(facts, condition.not, `${path}/not`, report);
  } else if (combinator !== undefined) {
    const list = condition[combinator];
    if (!Array.isArray(list) || list.length === 0) {
      fault(
        `"${combinator}" at ${path} must be a non-empty array of conditions; got ${describeValue(list)}.`,
        `${path}/${combinator}`,
      );
    } else {
      list.forEach((item: unknown, k) => {
        checkCondition(facts, item, `${path}/${combinator}/${k}`, report);
      });
    }
  } else if ('engaged' in condition) {
    checkEngaged(facts, condition, path, report);
  } else if ('event' in condition) {
    checkEvent(condition, path, report);
  } else if ('attribute' in condition) {
    checkAttribute(condition, path, report);
  } else {
    fault(
      `The condition at ${path} has neither "attribute", "engaged", "event", "all", "any" nor "not" (it has ${keys.length > 0 ? quoteList(keys) : 'no fields'}); write one such as ${CONDITION_EXAMPLE}.`,
    );
  }
}

function onlyKey(path: string, key: string, keys: readonly string[]): string {
  const others = keys.filter((other) => other !== key);
  return `"${key}" at ${path} must be the only field of its condition, but it also has ${quoteList(others)}; nest them as separate conditions inside "all" or "any".`;
}

function checkAttribute(condition: Record<string, unknown>, path: string, report: ReportIssue): void {
  const fault = (message: string, at = path): void => report(at, 'invalid_branch', message);
  const { attribute } = condition;
  if (typeof attribute !== 'string' || attribute === '') {
    fault(
      `"attribute" at ${path} must be the non-empty name of a contact attribute; got ${describeValue(attribute)}.`,
      `${path}/attribute`,
    );
  }
  const operators = OPERATORS.filter((op) => op in condition);
  for (const key of Object.keys(condition)) {
    if (key === 'attribute' || (OPERATORS as readonly string[]).includes(key)) continue;
    const close = OPERATORS.find((op) => op.toLowerCase() === key.toLowerCase().replace(/[^a-z]/g, ''));
    fault(
      `Unknown field "${key}" in the condition at ${path}.${close ? ` Did you mean "${close}"?` : ''} An attribute condition has "attribute" and one operator of ${quoteList(OPERATORS)}.`,
      `${path}/${key}`,
    );
  }
  if (operators.length !== 1) {
    const has = operators.length === 0 ? 'no operator' : `the operators ${quoteList(operators)}`;
    fault(
      `The condition at ${path} has ${has}; it needs exactly one of ${quoteList(OPERATORS)}, e.g. {"attribute": "plan", "equals": "pro"}. To combine tests, use "all" or "any".`,
    );
    if (operators.length === 0) return;
  }
  for (const op of operators) {
    const value = condition[op];
    const at = `${path}/${op}`;
    if (op === 'in' && !Array.isArray(value)) {
      fault(
        `"in" at ${path} must be an array of values, such as ["DE", "AT"]; got ${describeValue(value)}.`,
        at,
      );
    } else if ((op === 'gte' || op === 'lte') && (typeof value !== 'number' || !Number.isFinite(value))) {
      fault(
        `"${op}" compares numbers only (no coercion: "20" is not 20); write a number such as 200, not ${describeValue(value)}.`,
        at,
      );
    } else if (op === 'exists' && typeof value !== 'boolean') {
      fault(`"exists" at ${path} must be true or false; got ${describeValue(value)}.`, at);
    } else if (op === 'contains' && typeof value !== 'string') {
      fault(`"contains" at ${path} tests strings only; give a string; got ${describeValue(value)}.`, at);
    }
  }
}

function checkEngaged(
  facts: PlanFacts,
  condition: Record<string, unknown>,
  path: string,
  report: ReportIssue,
): void {
  const fault = (message: string, at: string): void => report(at, 'invalid_branch', message);
  for (const key of Object.keys(condition)) {
    if (key === 'engaged' || key === 'node') continue;
    fault(
      `Unknown field "${key}" in the condition at ${path}; an engagement condition is {"engaged": "opened" | "clicked" | "replied", "node"?: "<send node id>"}.`,
      `${path}/${key}`,
    );
  }
  const { engaged, node } = condition;
  if (!(ENGAGED_EVENTS as readonly unknown[]).includes(engaged)) {
    fault(
      `"engaged" at ${path} must be one of ${quoteList(ENGAGED_EVENTS)}; got ${describeValue(engaged)}.`,
      `${path}/engaged`,
    );
  }
  if (node === undefined) return;
  const target = targetsOf(facts, node)
    .map((index) => facts.nodes[index])
    .find((candidate) => candidate?.action === 'send');
  if (target === undefined) {
    const sends = facts.nodes
      .filter((n) => n.action === 'send' && n.id !== undefined)
      .map((n) => n.id as string);
    fault(
      `"node" at ${path} must name a send node of this plan (${sends.length > 0 ? `one of ${quoteList(sends)}` : 'the plan has none'}); got ${describeValue(node)}.`,
      `${path}/node`,
    );
    return;
  }
  if (target.node?.channel === 'sms' && (engaged === 'opened' || engaged === 'clicked')) {
    report(
      `${path}/engaged`,
      'channel_event_mismatch',
      `${target.label} sends an SMS, which reports no "${engaged}" event, so this condition would never hold. Use "replied", or name an email send node.`,
    );
  }
}

/** `{ "event": name }` (DESIGN section 14): one well-formed custom event name and nothing else. */
function checkEvent(condition: Record<string, unknown>, path: string, report: ReportIssue): void {
  for (const key of Object.keys(condition)) {
    if (key === 'event') continue;
    report(
      `${path}/${key}`,
      'invalid_branch',
      `Unknown field "${key}" in the condition at ${path}; a custom event condition is {"event": "<name>"} only.`,
    );
  }
  if (!isGoalName(condition.event)) {
    report(
      `${path}/event`,
      'invalid_branch',
      `"event" at ${path} must be a custom event name: ${GOAL_NAME_RULE}; got ${describeValue(condition.event)}.`,
    );
  }
}

function checkSplit(node: NodeFacts, raw: Record<string, unknown>, report: ReportIssue): void {
  const fault = (message: string, at: string): void => report(at, 'invalid_split', message);
  const { variants } = raw;
  const path = `${node.path}/variants`;
  if (!Array.isArray(variants)) {
    fault(
      `Split ${node.label} needs "variants": an array of 2 to ${MAX_VARIANTS} {"id": "A", "weight": 50, "to": "<node id>"}; got ${describeValue(variants)}.`,
      path,
    );
    return;
  }
  if (variants.length < 2 || variants.length > MAX_VARIANTS) {
    fault(
      `Split ${node.label} has ${variants.length} variant${variants.length === 1 ? '' : 's'}; a split needs 2 to ${MAX_VARIANTS}.${variants.length < 2 ? ' With one path, point at its target directly.' : ''}`,
      path,
    );
  }
  const seen = new Map<string, number>();
  variants.forEach((variant: unknown, k) => {
    const at = `${path}/${k}`;
    if (!isRecord(variant)) {
      fault(
        `${at} must be an object {"id": "A", "weight": 50, "to": "<node id>"}; got ${describeValue(variant)}.`,
        at,
      );
      return;
    }
    for (const key of Object.keys(variant)) {
      if (key === 'id' || key === 'weight' || key === 'to') continue;
      fault(
        `Unknown field "${key}" on variant ${at}; a variant has "id", "weight" and "to".`,
        `${at}/${key}`,
      );
    }
    const { id, weight, to } = variant;
    if (typeof id !== 'string' || id === '') {
      fault(
        `Variant ${at} needs a non-empty string "id" (such as "A"); got ${describeValue(id)}.`,
        `${at}/id`,
      );
    } else if (seen.has(id)) {
      fault(
        `Variant id ${JSON.stringify(id)} at ${at} is already used by ${path}/${seen.get(id)}; variant ids must be unique within a split. Rename one.`,
        `${at}/id`,
      );
    } else seen.set(id, k);
    if (typeof weight !== 'number' || !Number.isSafeInteger(weight) || weight <= 0) {
      fault(
        `"weight" of variant ${at} must be a whole number greater than 0 and at most ${Number.MAX_SAFE_INTEGER} (weights are relative: 50 and 50 split evenly); got ${describeValue(weight)}.`,
        `${at}/weight`,
      );
    }
    if (typeof to !== 'string' || to === '') {
      fault(
        `Variant ${at} needs "to": the id of the node its contacts enter; got ${describeValue(to)}.`,
        `${at}/to`,
      );
    }
  });
}

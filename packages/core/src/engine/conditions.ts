import type { AttributeCondition, Condition, EngagedCondition, EventCondition } from '../plan/plan-schema.ts';
import type { ContactFacts, EngineContext } from './types.ts';

/* DESIGN section 10: the conditions a `branch` node tries, evaluated with no type coercion. */

/**
 * What a condition reads: the contact's facts, the campaign's genuine engagements, the contact's custom
 * events and the instant the branch is entered (`at`; absent: every custom event counts).
 */
export interface ConditionFacts {
  contact: ContactFacts | undefined;
  engagements: EngineContext['engagements'];
  customEvents?: EngineContext['customEvents'];
  at?: Date | undefined;
}

/**
 * Whether `condition` holds. Attribute conditions: a missing attribute (absent key, or the contact
 * unknown) makes every comparison false except `exists: false`; `gte`/`lte` hold only between two
 * numbers; `equals`, `notEquals` and `in` compare strictly (`"20"` is not `20`; `===` for primitives,
 * structural equality for arrays and objects); `contains` is a case-sensitive substring test on a
 * string attribute, or membership (strict) in an array attribute. `engaged` holds when a genuine event
 * of that type concerns any message of the campaign (or only `node`'s message); `event` when a custom
 * event of that name occurred for the contact at or before `facts.at`. `all` / `any` / `not`
 * combine. An attribute condition with no operator, or with several, throws: the validator refuses it
 * (`invalid_branch`), so reaching one here is a bug, not a silent false.
 */
export function conditionHolds(condition: Condition, facts: ConditionFacts): boolean {
  if ('all' in condition) return condition.all.every((c) => conditionHolds(c, facts));
  if ('any' in condition) return condition.any.some((c) => conditionHolds(c, facts));
  if ('not' in condition) return !conditionHolds(condition.not, facts);
  if ('engaged' in condition) return engagedHolds(condition, facts);
  if ('event' in condition) return eventHolds(condition, facts);
  return attributeHolds(condition, facts.contact);
}

const OPERATORS = ['equals', 'notEquals', 'in', 'gte', 'lte', 'exists', 'contains'] as const;

function engagedHolds(condition: EngagedCondition, facts: ConditionFacts): boolean {
  return (facts.engagements ?? []).some(
    (e) => e.type === condition.engaged && (condition.node === undefined || e.nodeId === condition.node),
  );
}

/** A custom event of that name occurred at or before the branch's entry (section 14's "before"). */
function eventHolds(condition: EventCondition, facts: ConditionFacts): boolean {
  const at = facts.at?.getTime() ?? Number.POSITIVE_INFINITY;
  return (facts.customEvents ?? []).some((e) => e.name === condition.event && e.occurredAt.getTime() <= at);
}

function attributeHolds(condition: AttributeCondition, contact: ContactFacts | undefined): boolean {
  const present = OPERATORS.filter((op) => condition[op] !== undefined);
  if (present.length !== 1) {
    throw new Error(
      `condition on attribute "${condition.attribute}" must have exactly one of ${OPERATORS.join(', ')}; it has ${present.length}`,
    );
  }
  const attributes = contact?.attributes ?? {};
  const exists =
    Object.hasOwn(attributes, condition.attribute) && attributes[condition.attribute] !== undefined;
  if (condition.exists !== undefined) return condition.exists === exists;
  if (!exists) return false;
  const value = attributes[condition.attribute];
  if (condition.equals !== undefined) return strictEqual(value, condition.equals);
  if (condition.notEquals !== undefined) return !strictEqual(value, condition.notEquals);
  if (condition.in !== undefined) return condition.in.some((candidate) => strictEqual(value, candidate));
  if (condition.gte !== undefined) return typeof value === 'number' && value >= condition.gte;
  if (condition.lte !== undefined) return typeof value === 'number' && value <= condition.lte;
  const needle = condition.contains as string;
  if (typeof value === 'string') return value.includes(needle);
  if (Array.isArray(value)) return value.some((item) => item === needle);
  return false;
}

/** `===` for primitives; for arrays and plain objects, the same keys with strictly equal values (deep). */
export function strictEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => strictEqual(item, b[i]));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  const rb = b as Record<string, unknown>;
  const ra = a as Record<string, unknown>;
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(rb, k) && strictEqual(ra[k], rb[k]));
}

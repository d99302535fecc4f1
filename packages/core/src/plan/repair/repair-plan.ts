import jsonPatch, { type Operation } from 'fast-json-patch';
import type { JsonPatchOperation, PlanIssue, PlanValidationResult } from '../plan-issues.ts';
import { type PlanValidationOptions, validatePlan } from '../validate-plan.ts';

/** One fix `repairPlan` applied: the issue it repaired, as reported before the repair. */
export interface AppliedFix {
  path: string;
  code: PlanIssue['code'];
  message: string;
  fix: JsonPatchOperation[];
}

export interface PlanRepairResult {
  /** Whether the repaired plan is valid (no issue of severity `error` remains). */
  valid: boolean;
  /** The issues of the repaired plan, as `validatePlan` reports them; fixes left are ones that could not apply. */
  issues: PlanIssue[];
  /** The repaired plan as JSON input (not the zod output: no defaults filled in); the input itself when nothing applied. */
  plan: unknown;
  /** The fixes applied, in order. */
  applied: AppliedFix[];
}

export interface PlanRepairOptions extends PlanValidationOptions {
  /** At most this many rounds of validate-then-fix (default 8). */
  maxRounds?: number;
  /** The validator whose fixes are applied (default `validatePlan`); a test passes its own. */
  validate?: (input: unknown, options: PlanValidationOptions) => PlanValidationResult;
}

/**
 * Applies the `fix` of every issue that has one, then validates the result (DESIGN section 10, issue
 * item 8: a caller repairs a machine-written plan without another model round trip). The input is
 * never changed.
 *
 * A round validates the current plan and applies its fixes one by one, in the validator's issue order
 * (by path); a fix whose pointers overlap a pointer an earlier fix of the round touched waits for the
 * next round, where it is offered again against the plan as it then is, so every patch applies to
 * the document it was computed for. A fix that does not apply (RFC 6902 test failure, missing path) is
 * skipped and its issue stays. Rounds stop when one applies nothing, or after `maxRounds`; the
 * input's size is bounded by validatePlan's limits, so the work is bounded too. Never throws.
 */
export function repairPlan(input: unknown, options: PlanRepairOptions = {}): PlanRepairResult {
  const { maxRounds = 8, validate = validatePlan, ...validation } = options;
  const applied: AppliedFix[] = [];
  let plan = input;
  let result = validate(plan, validation);
  for (let round = 0; round < maxRounds; round++) {
    const touched: string[] = [];
    let changed = false;
    for (const issue of result.issues) {
      const { fix } = issue;
      if (fix === undefined || fix.length === 0) continue;
      const pointers = fix.flatMap((operation) =>
        'from' in operation ? [operation.from, operation.path] : [operation.path],
      );
      if (pointers.some((pointer) => touched.some((other) => overlaps(pointer, other)))) continue;
      const next = applied.length === 0 && !changed ? tryApply(plan, fix, true) : tryApply(plan, fix, false);
      if (next === undefined) continue;
      plan = next.document;
      changed = true;
      touched.push(...pointers);
      applied.push({ path: issue.path, code: issue.code, message: issue.message, fix });
    }
    if (!changed) break;
    result = validate(plan, validation);
  }
  return { valid: result.valid, issues: result.issues, plan, applied };
}

/**
 * Applies `fix` to a copy of `plan` (copied once, before the first fix, so the caller's input is never
 * changed), or returns undefined when a patch operation fails.
 */
function tryApply(
  plan: unknown,
  fix: readonly JsonPatchOperation[],
  copyFirst: boolean,
): { document: unknown } | undefined {
  try {
    // A fix that would change nothing (every operation a replace by the value already there) is not
    // applied: counted as applied, it would be offered and "applied" again every round.
    if (
      fix.every((op) => op.op === 'replace' && sameJson(jsonPatch.getValueByPointer(plan, op.path), op.value))
    ) {
      return undefined;
    }
    const base = copyFirst ? jsonPatch.deepClone(plan) : plan;
    // Validate the whole patch against a copy before mutating, so a failing operation leaves no half patch.
    if (jsonPatch.validate(fix as Operation[], base) !== undefined) return undefined;
    return { document: jsonPatch.applyPatch(base, fix as Operation[], true, true).newDocument };
  } catch {
    return undefined;
  }
}

function sameJson(a: unknown, b: unknown): boolean {
  return a !== undefined && JSON.stringify(a) === JSON.stringify(b);
}

/** Whether one pointer is the other or inside it (their patches could interfere). */
function overlaps(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);
}

import { DomainError } from '../errors.ts';
import type { Plan } from './plan-schema.ts';

/** Stable validation codes (DESIGN sections 3 and 10); part of the public API. */
export const PLAN_ISSUE_CODES = [
  'schema',
  'unsupported_version',
  'unknown_start_node',
  'duplicate_node_id',
  'unknown_target',
  'unknown_event',
  'timeout_without_after',
  'within_on_timeout',
  'invalid_duration',
  'invalid_timezone',
  'invalid_quiet_hours',
  'missing_content',
  'template_syntax',
  'wait_forever',
  'window_gap',
  'zero_time_cycle',
  'zero_time_chain',
  'unreachable_node',
  'missing_variable',
  'fixed_offset_timezone',
  'stranded_by_event',
  'invalid_send_window',
  'invalid_holidays',
  'no_send_time',
  'invalid_branch',
  'invalid_split',
  'channel_event_mismatch',
  'missing_phone',
  'missing_email',
  'invalid_phone',
  'sms_segments',
  'invalid_goal',
] as const;
export type PlanIssueCode = (typeof PLAN_ISSUE_CODES)[number];

export type PlanIssueSeverity = 'error' | 'warning';

/** Codes that never make a plan invalid; every other code is an error. */
export const WARNING_CODES: readonly PlanIssueCode[] = [
  'unreachable_node',
  'fixed_offset_timezone',
  'stranded_by_event',
  'sms_segments',
];

export interface PlanIssue {
  /** RFC 6901 JSON pointer into the plan; '' for the plan itself. */
  path: string;
  code: PlanIssueCode;
  /** What is wrong and what would be right, for a person or an LLM fixing the plan. */
  message: string;
  severity: PlanIssueSeverity;
  /**
   * The one obvious repair, when there is one, as an RFC 6902 JSON Patch against the plan as given
   * (`campaign validate --fix` applies it). Absent when the fix is a matter of judgement.
   */
  fix?: JsonPatchOperation[];
}

/** One RFC 6902 operation; `path` and `from` are JSON pointers into the plan. */
export type JsonPatchOperation =
  | { op: 'add' | 'replace' | 'test'; path: string; value: unknown }
  | { op: 'remove'; path: string }
  | { op: 'move' | 'copy'; from: string; path: string };

export interface PlanValidationResult {
  /** True when no issue has severity `error`; warnings alone keep a plan valid. */
  valid: boolean;
  /** Every issue found, sorted by path (array indexes numerically) then code; one per path and code. */
  issues: PlanIssue[];
  /** The zod output when valid, otherwise undefined. */
  plan: Plan | undefined;
}

/** How a check reports one issue; the severity follows from the code. `fix`: its one obvious repair. */
export type ReportIssue = (
  path: string,
  code: PlanIssueCode,
  message: string,
  fix?: JsonPatchOperation[],
) => void;

/** Builds an issue whose severity follows from its code. */
export function planIssue(
  path: string,
  code: PlanIssueCode,
  message: string,
  fix?: JsonPatchOperation[],
): PlanIssue {
  return {
    path,
    code,
    message,
    severity: WARNING_CODES.includes(code) ? 'warning' : 'error',
    ...(fix !== undefined ? { fix } : {}),
  };
}

/** Thrown by `assertValidPlan`; carries every issue (warnings included) of the refused plan. */
export class PlanValidationError extends DomainError {
  readonly code = 'invalid_plan' as const;
  readonly issues: PlanIssue[];

  constructor(issues: readonly PlanIssue[]) {
    const errors = issues.filter((issue) => issue.severity === 'error');
    const shown = errors
      .slice(0, 3)
      .map((issue) => `${issue.path || '(plan)'} [${issue.code}] ${issue.message}`)
      .join('; ');
    const more = errors.length > 3 ? `; and ${errors.length - 3} more` : '';
    super(`Invalid plan: ${errors.length} error${errors.length === 1 ? '' : 's'}: ${shown}${more}`);
    this.name = 'PlanValidationError';
    this.issues = [...issues];
  }
}

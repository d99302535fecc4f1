/** An RFC 9457 problem document, with the stable `code` clients switch on. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  detail?: string;
  [extension: string]: unknown;
}

/** Thrown by controllers for a problem that is not a domain error (bad request shape, bad token...). */
export class ProblemError extends Error {
  readonly problem: Problem;
  constructor(
    status: number,
    code: string,
    title: string,
    detail?: string,
    extensions: Record<string, unknown> = {},
  ) {
    super(detail ?? title);
    this.problem = { type: 'about:blank', title, status, code, ...(detail ? { detail } : {}), ...extensions };
  }
}

/** An answer of a use case that refuses with a status instead of throwing (the runtime's WebhookIntake). */
export type AnswerOrRefusal<T> =
  | { ok: true; body: T }
  | { ok: false; status: number; code: string; title: string; detail?: string };

/** The body to answer with, or the refusal thrown as a problem (for the ProblemFilter). */
export function bodyOrProblem<T>(answer: AnswerOrRefusal<T>): T {
  if (answer.ok) return answer.body;
  throw new ProblemError(answer.status, answer.code, answer.title, answer.detail);
}

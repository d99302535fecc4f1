/*
 * What the console makes of an answer of the typed client (@campaign/client, openapi-fetch): the body of a
 * 2xx, else an ApiError carrying the problem's code and detail (application/problem+json, DESIGN section 8).
 */

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, detail: string) {
    super(detail);
    this.status = status;
    this.code = code;
  }
}

/**
 * The body of a 2xx answer of a client call; anything else throws an ApiError with the problem's code and
 * detail, or `error` and the status text when the answer has no problem body.
 */
export async function ok<Data>(
  call: Promise<{ data?: Data; error?: unknown; response: Response }>,
): Promise<Data> {
  const { data, error, response } = await call;
  if (response.ok) return data as Data;
  const problem = (typeof error === 'object' && error !== null ? error : {}) as {
    code?: unknown;
    detail?: unknown;
  };
  throw new ApiError(
    response.status,
    String(problem.code ?? 'error'),
    String(problem.detail ?? response.statusText),
  );
}

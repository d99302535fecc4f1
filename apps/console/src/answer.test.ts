import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ApiError, ok } from './answer.ts';

const answer = <Data>(status: number, body: { data?: Data; error?: unknown }) =>
  Promise.resolve({ ...body, response: new Response(null, { status, statusText: `status ${status}` }) });

describe('ok', () => {
  it('is the body of a 2xx answer', async () => {
    await expect(ok(answer(200, { data: { enabled: true, since: null } }))).resolves.toEqual({
      enabled: true,
      since: null,
    });
  });

  it("throws an ApiError with the problem's status, code and detail", async () => {
    const problem = {
      type: 'about:blank',
      title: 'Conflict',
      status: 409,
      code: 'invalid_state',
      detail: 'ended',
    };
    const thrown = await ok(answer(409, { error: problem })).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(ApiError);
    expect(thrown).toMatchObject({ status: 409, code: 'invalid_state', message: 'ended' });
  });

  it('throws code `error` and the status text when the answer has no problem body', async () => {
    const thrown = await ok(answer(502, { error: undefined })).catch((e: unknown) => e);
    expect(thrown).toMatchObject({ status: 502, code: 'error', message: 'status 502' });
  });
});

describe('the console calls /v1 through the typed client only', () => {
  const dir = fileURLToPath(new URL('.', import.meta.url));
  const files = (d: string): string[] =>
    readdirSync(d, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory()
        ? files(join(d, e.name))
        : /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name)
          ? [join(d, e.name)]
          : [],
    );
  const sources = files(dir).map((path) => ({ path, text: readFileSync(path, 'utf8') }));

  it('no page calls fetch; api.ts fetches only /auth (sign-in and sign-out are not in the OpenAPI document)', () => {
    const fetches = sources.flatMap(({ path, text }) =>
      [...text.matchAll(/\bfetch\(\s*([^,)]*)/g)].map((m) => `${path.slice(dir.length)}: ${m[1]}`),
    );
    expect(fetches).toEqual(["api.ts: '/auth/sign-in'", "api.ts: '/auth/sign-out'"]);
  });

  it('every /v1 path is the first argument of a client call', () => {
    const loose = sources.flatMap(({ path, text }) =>
      text
        .split('\n')
        .filter(
          (line) => /['"`]\/v1\//.test(line) && !/client\.(GET|POST|PUT|PATCH|DELETE)\(['"]\/v1\//.test(line),
        )
        .map((line) => `${path.slice(dir.length)}: ${line.trim()}`),
    );
    expect(loose).toEqual([]);
  });
});

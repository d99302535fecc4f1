import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bodyOrProblem, ProblemError } from '../http/problem.ts';

/*
 * Issue 10 item 3: the webhooks route only forwards. Verifying, confirming an SNS subscription, recording
 * the batch and counting metrics are the runtime's WebhookIntake (tested in packages/runtime).
 */

const source = readFileSync(new URL('./webhooks.controller.ts', import.meta.url), 'utf8');

/** What the intake does, as the controller used to spell it. */
const INTAKE_WORK =
  /\.handle\(|recordEvents\(|webhookEvents|\bfetch\(|messageIdFromHeader|PROVIDER_NAMES|clock\.now\(/;

const FORMER_LINES = [
  'const result = await this.verifier.handle(',
  'const counted = await this.service.recordEvents(',
  'const counter = this.runtime.metrics.webhookEvents;',
  'await fetch(result.reply.subscribeUrl).catch((error: unknown) =>',
  'messageId: messageIdFromHeader(event.messageIdHeader),',
  'const provider = PROVIDER_NAMES.find((known) => known === name);',
];

describe('WebhooksController', () => {
  it('the rule catches each piece of intake work the controller used to do', () => {
    for (const line of FORMER_LINES) expect(INTAKE_WORK.test(line), line).toBe(true);
  });

  it('does none of it: its route is one statement that forwards to the intake', () => {
    expect(source).not.toMatch(INTAKE_WORK);
    const route = /async receive\([\s\S]*?\) \{\n([\s\S]*?)\n {2}\}/.exec(source)?.[1] ?? '';
    expect(route.trim().split('\n')).toHaveLength(1);
    expect(route).toContain('this.intake.receive(');
  });
});

describe('bodyOrProblem', () => {
  it('answers the body of an accepted answer and throws a refusal as the problem it names', () => {
    expect(bodyOrProblem({ ok: true, body: { accepted: 1 } })).toEqual({ accepted: 1 });
    let thrown: unknown;
    try {
      bodyOrProblem({
        ok: false,
        status: 401,
        code: 'bad_signature',
        title: 'Unauthorized',
        detail: 'no match',
      });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ProblemError);
    expect((thrown as ProblemError).problem).toEqual({
      type: 'about:blank',
      title: 'Unauthorized',
      status: 401,
      code: 'bad_signature',
      detail: 'no match',
    });
  });
});

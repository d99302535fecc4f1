import { describe, expect, it } from 'vitest';
import { DomainError } from './errors.ts';
import * as core from './index.ts';
import { assertValidPlan } from './plan/validate-plan.ts';
import { renderMessage } from './template/template.ts';

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('core errors', () => {
  it('every error class core exports is a DomainError (one base, one stable code each)', () => {
    const errorClasses = Object.entries(core).filter(
      ([name, value]) =>
        name !== 'DomainError' && typeof value === 'function' && value.prototype instanceof Error,
    );
    expect(errorClasses.map(([name]) => name)).toContain('PlanValidationError');
    expect(errorClasses.map(([name]) => name)).toContain('MissingVariableError');
    expect(
      errorClasses
        .filter(([, value]) => !((value as { prototype: unknown }).prototype instanceof DomainError))
        .map(([name]) => name),
    ).toEqual([]);
  });

  it('validation and rendering throw DomainErrors with their codes', () => {
    const errors = [
      thrown(() => assertValidPlan({})),
      thrown(() => renderMessage({ subject: 'Hi {{name', body: 'x' }, { email: 'a@example.com' })),
      thrown(() => renderMessage({ subject: 'Hi', body: '{{company}}' }, { email: 'a@example.com' })),
    ];
    expect(errors.map((error) => error instanceof DomainError && error.code)).toEqual([
      'invalid_plan',
      'template_syntax',
      'missing_variable',
    ]);
  });
});

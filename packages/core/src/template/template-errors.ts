import { DomainError } from '../errors.ts';

/** A template's `{{ }}` syntax is broken (unclosed, stray, nested or malformed expression). */
export class TemplateSyntaxError extends DomainError {
  readonly code = 'template_syntax' as const;
  /** Offset in the template text where the problem starts. */
  readonly index: number;

  constructor(message: string, index: number) {
    super(message);
    this.name = 'TemplateSyntaxError';
    this.index = index;
  }
}

/**
 * A template uses variables that have no value and no default. Rendering refuses rather than
 * sending an email with a hole in it (DESIGN section 3).
 */
export class MissingVariableError extends DomainError {
  readonly code = 'missing_variable' as const;
  /** The missing variable names, each once, in order of first use. */
  readonly variables: string[];

  constructor(variables: readonly string[]) {
    const list = variables.map((name) => `{{${name}}}`).join(', ');
    super(
      `No value for ${list} and no default; give the contact a value or write a default such as {{${variables[0] ?? 'name'}|there}}.`,
    );
    this.name = 'MissingVariableError';
    this.variables = [...variables];
  }
}

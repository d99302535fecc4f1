import { MissingVariableError, TemplateSyntaxError } from './template-errors.ts';

/** One piece of a parsed template: literal text, or a variable with an optional default. */
export type TemplateSegment =
  | { kind: 'text'; text: string }
  | { kind: 'var'; name: string; fallback: string | undefined };

export type ParseTemplateResult =
  | { ok: true; segments: TemplateSegment[] }
  | { ok: false; message: string; index: number };

/** A variable used by a template; `fallback` is the text after `|`, or undefined when none is given. */
export interface TemplateVariable {
  name: string;
  fallback: string | undefined;
}

/** The contact fields a template can read. `email` may be absent for a contact reached only by SMS. */
export interface TemplateContact {
  email?: string | null | undefined;
  name?: string | null;
  attributes?: Record<string, unknown> | null;
}

export interface RenderOptions {
  /** Escape values and defaults for HTML (bodies); the literal template text is never escaped. */
  escapeHtml: boolean;
}

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Parses `{{name}}`, `{{ name }}` and `{{name|default text}}`. Everything after the first `|` is the
 * default (trimmed; it may contain further `|` and may be empty). Errors point at the offending
 * `{{`: an unclosed or nested `{{`, an empty expression or a name that is not `[A-Za-z_][A-Za-z0-9_]*`.
 * A `}}` that no `{{` opened is plain text: HTML bodies carry CSS such as `@media{.a{...}}`.
 */
export function parseTemplate(text: string): ParseTemplateResult {
  const segments: TemplateSegment[] = [];
  let cursor = 0;
  while (cursor < text.length) {
    const open = text.indexOf('{{', cursor);
    if (open === -1) break;
    const end = text.indexOf('}}', open + 2);
    if (end === -1) {
      return {
        ok: false,
        index: open,
        message: `Unclosed '{{' at index ${open}: close the variable with '}}', as in {{name}}.`,
      };
    }
    const nested = text.indexOf('{{', open + 2);
    if (nested !== -1 && nested < end) {
      return {
        ok: false,
        index: nested,
        message: `Nested '{{' at index ${nested} inside the variable opened at index ${open}; variables cannot contain other variables.`,
      };
    }
    const expression = parseExpression(text.slice(open + 2, end), open);
    if (!expression.ok) return expression;
    if (open > cursor) segments.push({ kind: 'text', text: text.slice(cursor, open) });
    segments.push({ kind: 'var', name: expression.name, fallback: expression.fallback });
    cursor = end + 2;
  }
  if (cursor < text.length) segments.push({ kind: 'text', text: text.slice(cursor) });
  return { ok: true, segments };
}

function parseExpression(
  inner: string,
  index: number,
): { ok: true; name: string; fallback: string | undefined } | { ok: false; message: string; index: number } {
  const pipe = inner.indexOf('|');
  const name = (pipe === -1 ? inner : inner.slice(0, pipe)).trim();
  const fallback = pipe === -1 ? undefined : inner.slice(pipe + 1).trim();
  if (inner.trim() === '') {
    return {
      ok: false,
      index,
      message: `Empty variable '{{${inner}}}' at index ${index}; write a name such as {{name}} or {{name|default}}.`,
    };
  }
  if (name === '') {
    return {
      ok: false,
      index,
      message: `Variable '{{${inner}}}' at index ${index} has no name before '|'; write it as {{name|${fallback ?? ''}}}.`,
    };
  }
  if (!VARIABLE_NAME.test(name)) {
    return {
      ok: false,
      index,
      message: `'{{${inner}}}' at index ${index} is not a valid variable: a name starts with a letter or '_' and contains only letters, digits and '_' (for example {{first_name}}).`,
    };
  }
  return { ok: true, name, fallback };
}

function parseOrThrow(text: string): TemplateSegment[] {
  const parsed = parseTemplate(text);
  if (!parsed.ok) throw new TemplateSyntaxError(parsed.message, parsed.index);
  return parsed.segments;
}

/**
 * The variables a template uses, in order of first use; a name used with different defaults appears
 * once per distinct default.
 *
 * @throws TemplateSyntaxError when the template does not parse.
 */
export function templateVariables(text: string): TemplateVariable[] {
  const seen = new Set<string>();
  const variables: TemplateVariable[] = [];
  for (const segment of parseOrThrow(text)) {
    if (segment.kind !== 'var') continue;
    // JSON.stringify keeps "no default" apart from an empty default.
    const key = JSON.stringify([segment.name, segment.fallback ?? null]);
    if (seen.has(key)) continue;
    seen.add(key);
    variables.push({ name: segment.name, fallback: segment.fallback });
  }
  return variables;
}

function usableValue(value: unknown): string | undefined {
  let text: string;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'boolean') text = String(value);
  else if (typeof value === 'number' && Number.isFinite(value)) text = String(value);
  else return undefined;
  const trimmed = text.trim();
  return trimmed === '' ? undefined : trimmed;
}

/**
 * The template variables of a contact: every attribute whose value is a string, number or boolean
 * (stringified, trimmed), then `email` and `name`, which win over attributes of the same key when
 * they have a value. Empty or whitespace-only values, null, undefined, objects and arrays are left
 * out, so a template falls back to its default instead of rendering a blank.
 */
export function contactVariables(contact: TemplateContact): Record<string, string> {
  const entries = new Map<string, string>();
  const attributes = contact.attributes;
  if (attributes !== null && typeof attributes === 'object') {
    for (const [key, raw] of Object.entries(attributes)) {
      const value = usableValue(raw);
      if (value !== undefined) entries.set(key, value);
    }
  }
  for (const [key, raw] of [
    ['email', contact.email],
    ['name', contact.name],
  ] as const) {
    const value = usableValue(raw);
    if (value !== undefined) entries.set(key, value);
  }
  // fromEntries defines own properties, so an attribute named __proto__ stays a plain value.
  return Object.fromEntries(entries);
}

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] ?? char);
}

function lookup(vars: Record<string, string>, name: string): string | undefined {
  // hasOwn: a template must not reach Object.prototype through {{constructor}} or {{toString}}.
  if (!Object.hasOwn(vars, name)) return undefined;
  const value = vars[name];
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/** The names (once each, in order) of the variables in `segments` with no value and no default. */
function missingIn(segments: readonly TemplateSegment[], vars: Record<string, string>): string[] {
  const missing: string[] = [];
  for (const segment of segments) {
    if (segment.kind !== 'var' || segment.fallback !== undefined) continue;
    if (lookup(vars, segment.name) === undefined && !missing.includes(segment.name))
      missing.push(segment.name);
  }
  return missing;
}

/**
 * Renders a template. A variable with no value (absent, empty or whitespace-only) uses its default;
 * with `escapeHtml` both values and defaults are escaped (`& < > " '`), the template's own text never.
 *
 * @throws TemplateSyntaxError when the template does not parse.
 * @throws MissingVariableError listing every variable with no value and no default.
 */
export function renderTemplate(text: string, vars: Record<string, string>, options: RenderOptions): string {
  const segments = parseOrThrow(text);
  const missing = missingIn(segments, vars);
  if (missing.length > 0) throw new MissingVariableError(missing);
  return renderSegments(segments, vars, options);
}

function renderSegments(
  segments: readonly TemplateSegment[],
  vars: Record<string, string>,
  options: RenderOptions,
): string {
  let out = '';
  for (const segment of segments) {
    if (segment.kind === 'text') {
      out += segment.text;
      continue;
    }
    // missingIn ran first, so a variable without a value has a default here.
    const value = lookup(vars, segment.name) ?? segment.fallback ?? '';
    out += options.escapeHtml ? escapeHtml(value) : value;
  }
  return out;
}

/**
 * Renders a send node's subject (plain text, not escaped) and body (HTML-escaped values) for a contact.
 *
 * @throws TemplateSyntaxError when the subject or body does not parse.
 * @throws MissingVariableError listing the missing variables of subject and body together.
 */
export function renderMessage(
  node: { subject?: string | undefined; body?: string | undefined },
  contact: TemplateContact,
): { subject: string; body: string } {
  const vars = contactVariables(contact);
  const subject = parseOrThrow(node.subject ?? '');
  const body = parseOrThrow(node.body ?? '');
  const missing = missingIn(subject, vars);
  for (const name of missingIn(body, vars)) if (!missing.includes(name)) missing.push(name);
  if (missing.length > 0) throw new MissingVariableError(missing);
  return {
    subject: renderSegments(subject, vars, { escapeHtml: false }),
    body: renderSegments(body, vars, { escapeHtml: true }),
  };
}

import { describe, expect, it } from 'vitest';
import {
  contactVariables,
  parseTemplate,
  renderMessage,
  renderTemplate,
  templateVariables,
} from './template.ts';
import { MissingVariableError, TemplateSyntaxError } from './template-errors.ts';

function failure(text: string): { message: string; index: number } {
  const parsed = parseTemplate(text);
  if (parsed.ok) throw new Error(`expected ${JSON.stringify(text)} not to parse`);
  return parsed;
}

describe('parseTemplate', () => {
  it('splits text and variables, trimming spaces around the name', () => {
    const parsed = parseTemplate('Hi {{ name }}, from {{company|us}}!');
    expect(parsed).toEqual({
      ok: true,
      segments: [
        { kind: 'text', text: 'Hi ' },
        { kind: 'var', name: 'name', fallback: undefined },
        { kind: 'text', text: ', from ' },
        { kind: 'var', name: 'company', fallback: 'us' },
        { kind: 'text', text: '!' },
      ],
    });
  });

  it('keeps an empty default apart from no default', () => {
    const parsed = parseTemplate('{{title|}}');
    expect(parsed.ok && parsed.segments).toEqual([{ kind: 'var', name: 'title', fallback: '' }]);
  });

  it('takes everything after the first pipe as the default', () => {
    const parsed = parseTemplate('{{a|b|c}}');
    expect(parsed.ok && parsed.segments).toEqual([{ kind: 'var', name: 'a', fallback: 'b|c' }]);
  });

  it('leaves single braces alone', () => {
    const parsed = parseTemplate('a { b } c');
    expect(parsed.ok && parsed.segments).toEqual([{ kind: 'text', text: 'a { b } c' }]);
  });

  it('parses an empty template to no segments', () => {
    expect(parseTemplate('')).toEqual({ ok: true, segments: [] });
  });

  it('rejects an unclosed {{ at its index', () => {
    const error = failure('Hi {{name');
    expect(error.index).toBe(3);
    expect(error.message).toContain('Unclosed');
  });

  it('keeps a }} that no {{ opened as text (CSS in an HTML body)', () => {
    const parsed = parseTemplate('<style>@media(max-width:600px){.a{width:100%}}</style>{{a}}');
    expect(parsed).toEqual({
      ok: true,
      segments: [
        { kind: 'text', text: '<style>@media(max-width:600px){.a{width:100%}}</style>' },
        { kind: 'var', name: 'a', fallback: undefined },
      ],
    });
  });

  it('rejects a nested {{', () => {
    const error = failure('{{a {{b}} }}');
    expect(error.index).toBe(4);
    expect(error.message).toContain('Nested');
  });

  it.each([
    ['{{}}', 'Empty'],
    ['{{   }}', 'Empty'],
    ['{{na me}}', 'not a valid variable'],
    ['{{1x}}', 'not a valid variable'],
    ['{{a-b}}', 'not a valid variable'],
    ['{{|there}}', 'no name'],
    ['{{{name}}}', 'not a valid variable'],
  ])('rejects the malformed expression %s', (text, fragment) => {
    const error = failure(`x ${text}`);
    expect(error.index).toBe(2);
    expect(error.message).toContain(fragment);
  });
});

describe('templateVariables', () => {
  it('lists each distinct name and default once, in order', () => {
    expect(templateVariables('{{b}} {{a|x}} {{b}} {{a|x}} {{a}}')).toEqual([
      { name: 'b', fallback: undefined },
      { name: 'a', fallback: 'x' },
      { name: 'a', fallback: undefined },
    ]);
  });

  it('throws TemplateSyntaxError on bad syntax', () => {
    expect(() => templateVariables('{{oops')).toThrow(TemplateSyntaxError);
  });
});

describe('contactVariables', () => {
  it('stringifies strings, numbers and booleans and drops unusable values', () => {
    const vars = contactVariables({
      email: 'ann@example.com',
      attributes: {
        company: 'Acme',
        seats: 12,
        trial: false,
        nothing: null,
        missing: undefined,
        nested: { a: 1 },
        list: ['x'],
        blank: '   ',
        empty: '',
        infinite: Number.POSITIVE_INFINITY,
      },
    });
    expect(vars).toEqual({ company: 'Acme', seats: '12', trial: 'false', email: 'ann@example.com' });
  });

  it('lets name and email win over attributes of the same key', () => {
    const vars = contactVariables({
      email: 'ann@example.com',
      name: 'Ann',
      attributes: { name: 'Attribute Ann', email: 'other@example.com' },
    });
    expect(vars.name).toBe('Ann');
    expect(vars.email).toBe('ann@example.com');
  });

  it('treats a blank name as no name', () => {
    expect(contactVariables({ email: 'a@example.com', name: '  ' })).toEqual({ email: 'a@example.com' });
    expect(contactVariables({ email: 'a@example.com', name: null, attributes: null })).toEqual({
      email: 'a@example.com',
    });
  });

  it('trims values', () => {
    expect(contactVariables({ email: 'a@example.com', name: ' Ann ' }).name).toBe('Ann');
  });

  it('keeps an attribute named __proto__ as a plain value', () => {
    const attributes = JSON.parse('{"__proto__": "x"}') as Record<string, unknown>;
    const vars = contactVariables({ email: 'a@example.com', attributes });
    expect(Object.hasOwn(vars, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(vars)).toBe(Object.prototype);
  });
});

describe('renderTemplate', () => {
  it('substitutes values and uses defaults only when the value is missing', () => {
    const text = 'Hi {{name|there}}, {{company|your team}}';
    expect(renderTemplate(text, { name: 'Ann' }, { escapeHtml: false })).toBe('Hi Ann, your team');
  });

  it('renders an empty default as nothing', () => {
    expect(renderTemplate('Hello{{title|}}.', {}, { escapeHtml: false })).toBe('Hello.');
  });

  it('uses the default for a blank value', () => {
    expect(renderTemplate('Hi {{name|there}}', { name: ' ' }, { escapeHtml: false })).toBe('Hi there');
  });

  it('escapes values and defaults but not the template text when asked', () => {
    const text = '<p>{{name}} & {{co|A&B "x"}}</p>';
    expect(renderTemplate(text, { name: `<b>O'Neil</b>` }, { escapeHtml: true })).toBe(
      '<p>&lt;b&gt;O&#39;Neil&lt;/b&gt; & A&amp;B &quot;x&quot;</p>',
    );
    expect(renderTemplate(text, { name: '<b>' }, { escapeHtml: false })).toBe('<p><b> & A&B "x"</p>');
  });

  it('throws MissingVariableError naming every missing variable once', () => {
    let caught: unknown;
    try {
      renderTemplate('{{a}} {{b|ok}} {{c}} {{a}}', { b: '' }, { escapeHtml: false });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(MissingVariableError);
    expect((caught as MissingVariableError).variables).toEqual(['a', 'c']);
    expect((caught as MissingVariableError).code).toBe('missing_variable');
  });

  it('does not read inherited properties as values', () => {
    expect(() => renderTemplate('{{constructor}}', {}, { escapeHtml: false })).toThrow(MissingVariableError);
  });

  it('throws TemplateSyntaxError with code and index on bad syntax', () => {
    let caught: unknown;
    try {
      renderTemplate('ok {{ }}', {}, { escapeHtml: false });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(TemplateSyntaxError);
    expect((caught as TemplateSyntaxError).code).toBe('template_syntax');
    expect((caught as TemplateSyntaxError).index).toBe(3);
  });
});

describe('renderMessage', () => {
  const contact = { email: 'ann@example.com', name: 'Ann <CEO>', attributes: { company: 'R&D' } };

  it('escapes the body but not the subject', () => {
    const message = renderMessage(
      { subject: '{{name}} at {{company}}', body: '{{name}} at {{company}}' },
      contact,
    );
    expect(message.subject).toBe('Ann <CEO> at R&D');
    expect(message.body).toBe('Ann &lt;CEO&gt; at R&amp;D');
  });

  it('reads attributes and email', () => {
    const message = renderMessage({ subject: 'For {{email}}', body: 'Team {{company}}' }, contact);
    expect(message.subject).toBe('For ann@example.com');
    expect(message.body).toBe('Team R&amp;D');
  });

  it('reports the missing variables of subject and body together', () => {
    let caught: unknown;
    try {
      renderMessage({ subject: '{{title}}', body: '{{city}} {{title}}' }, contact);
    } catch (error) {
      caught = error;
    }
    expect((caught as MissingVariableError).variables).toEqual(['title', 'city']);
  });
});

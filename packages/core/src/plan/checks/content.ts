import { contactVariables, parseTemplate, type TemplateContact } from '../../template/template.ts';
import type { NodeFacts, PlanFacts } from '../plan-facts.ts';
import type { ReportIssue } from '../plan-issues.ts';

/*
 * A send's content: a subject and a body, each a template that parses, the subject short enough for an
 * email header, and (when the contact is known) a value or a default for every variable.
 */

/** The longest subject template, in characters (RFC 5322 line length). */
const MAX_SUBJECT_LENGTH = 998;
const CONTENT_EXAMPLES = {
  subject: '"Quick question, {{name|there}}"',
  body: '"Hi {{name|there}}, ..."',
} as const;

/** Checks every send node; `contact`, when given, must give every variable without a default a value. */
export function checkContent(
  facts: PlanFacts,
  contact: TemplateContact | undefined,
  report: ReportIssue,
): void {
  const variables = contact ? contactVariables(contact) : undefined;
  for (const node of facts.nodes) {
    // An SMS step's `text` is checked in channels.ts.
    if (node.node !== undefined && node.action === 'send' && node.node.channel !== 'sms')
      checkNodeContent(node, variables, report);
  }
}

function checkNodeContent(
  node: NodeFacts,
  variables: Record<string, string> | undefined,
  report: ReportIssue,
): void {
  for (const field of ['subject', 'body'] as const) {
    const path = `/nodes/${node.index}/${field}`;
    const value = node.node?.[field];
    // A threaded follow-up may take its subject from the thread; threads.ts checks every path to it.
    if (field === 'subject' && value === undefined && node.node?.thread === true) continue;
    if (value === undefined || value === null) {
      report(
        path,
        'missing_content',
        `Send ${node.label} has no ${field}; add a non-empty "${field}" template, e.g. ${CONTENT_EXAMPLES[field]}.`,
      );
      continue;
    }
    // A wrong type is a schema error reported by the zod mapping.
    if (typeof value !== 'string') continue;
    if (value.trim() === '') {
      report(
        path,
        'missing_content',
        `Send ${node.label} has an empty ${field}; write the ${field} text, e.g. ${CONTENT_EXAMPLES[field]}.`,
      );
      continue;
    }
    if (field === 'subject' && value.length > MAX_SUBJECT_LENGTH) {
      // RFC 5322: a header line is at most 998 characters.
      report(
        path,
        'schema',
        `The subject of ${node.label} is ${value.length} characters long; the limit is ${MAX_SUBJECT_LENGTH} (the longest line an email header may have). Shorten it.`,
      );
      continue;
    }
    checkTemplate(value, path, `The ${field} of ${node.label}`, 'the email', variables, report);
  }
}

/**
 * A template's syntax, and (with the contact's variables) a value or a default for every variable.
 * `what` names the field in a sentence; `message` names what would have a hole.
 */
export function checkTemplate(
  value: string,
  path: string,
  what: string,
  message: string,
  variables: Record<string, string> | undefined,
  report: ReportIssue,
): void {
  const parsed = parseTemplate(value);
  if (!parsed.ok) {
    report(
      path,
      'template_syntax',
      `${what} has a template error: ${parsed.message} Write variables as {{name}} or {{name|default}}.`,
    );
    return;
  }
  if (variables === undefined) return;
  const missing: string[] = [];
  for (const segment of parsed.segments) {
    if (segment.kind !== 'var' || segment.fallback !== undefined || Object.hasOwn(variables, segment.name))
      continue;
    if (!missing.includes(segment.name)) missing.push(segment.name);
  }
  if (missing.length === 0) return;
  const list = missing.map((name) => `{{${name}}}`).join(', ');
  const [first] = missing;
  report(
    path,
    'missing_variable',
    `${what} uses ${list} but the contact has no value for ${missing.length === 1 ? 'it' : 'them'} and no default is given, so ${message} would have a hole. Add the value to the contact, or write a default such as {{${first}|there}} (an empty default {{${first}|}} renders nothing).`,
  );
}

import { isValidPhoneNumber } from '../../input/phone-numbers.ts';
import { smsSegments } from '../../template/sms.ts';
import { contactVariables, parseTemplate, type TemplateContact } from '../../template/template.ts';
import type { NodeFacts, PlanFacts } from '../plan-facts.ts';
import type { JsonPatchOperation, ReportIssue } from '../plan-issues.ts';
import { SMS_EVENTS } from '../plan-schema.ts';
import { capitalize, describeValue } from '../raw-value.ts';
import { checkTemplate } from './content.ts';

/*
 * Channels (DESIGN section 10): an SMS step has `text` (no subject, body or thread) and reacts only
 * to the events SMS has; its text's length in SMS parts; and, with a contact, the address or phone
 * each channel needs.
 */

/** The contact a plan is validated for: the template fields, plus what SMS and splits read. */
export interface ValidationContact extends TemplateContact {
  phone?: string | null | undefined;
  id?: string | null | undefined;
}

/** More parts than this is the `sms_segments` warning. */
const MAX_SMS_SEGMENTS = 3;
const TEXT_EXAMPLE = '"Hi {{name|there}}, a quick note from Acme. Reply STOP to opt out."';

export function isSmsNode(node: NodeFacts): boolean {
  return node.action === 'send' && node.node?.channel === 'sms';
}

export function checkChannels(
  facts: PlanFacts,
  contact: ValidationContact | undefined,
  report: ReportIssue,
): void {
  const variables = contact ? contactVariables(contact) : undefined;
  for (const node of facts.nodes) {
    if (node.node === undefined || node.action !== 'send') continue;
    if (isSmsNode(node)) checkSmsNode(node, node.node, variables, report);
    else if (node.node.text !== undefined) {
      report(
        `${node.path}/text`,
        'schema',
        `"text" is the message of an SMS step, but ${node.label} sends an email, which has "subject" and "body". Move the text into "body", or set "channel": "sms".`,
      );
    }
  }
  if (contact !== undefined) checkContact(facts, contact, report);
}

function checkSmsNode(
  node: NodeFacts,
  raw: Record<string, unknown>,
  variables: Record<string, string> | undefined,
  report: ReportIssue,
): void {
  const present = (['subject', 'body'] as const).filter((field) => raw[field] !== undefined);
  for (const field of present) {
    const fix: JsonPatchOperation[] | undefined =
      raw.text === undefined && present.length === 1
        ? [{ op: 'move', from: `${node.path}/${field}`, path: `${node.path}/text` }]
        : undefined;
    report(
      `${node.path}/${field}`,
      'schema',
      `SMS steps have no subject or body; put the message in "text". ${node.label} has "${field}"${raw.text === undefined ? ' and no "text"' : ''}: ${fix ? `rename "${field}" to "text"` : 'remove it'}.`,
      fix,
    );
  }
  if (raw.thread !== undefined) {
    report(
      `${node.path}/thread`,
      'schema',
      `"thread" replies in an email thread, but ${node.label} sends an SMS; remove "thread".`,
    );
  }
  for (const transition of node.transitions) {
    if (typeof transition.on !== 'string' || (SMS_EVENTS as readonly string[]).includes(transition.on))
      continue;
    if (!['opened', 'clicked', 'no_open', 'no_click'].includes(transition.on)) continue;
    report(
      `${transition.path}/on`,
      'channel_event_mismatch',
      `${capitalize(transition.where)} waits for "${transition.on}", but ${node.label} sends an SMS, which has no opens or clicks, so it would never fire. SMS events are ${SMS_EVENTS.join(', ')}; use "replied" or "no_reply".`,
    );
  }
  checkSmsText(node, raw.text, variables, report);
}

function checkSmsText(
  node: NodeFacts,
  text: unknown,
  variables: Record<string, string> | undefined,
  report: ReportIssue,
): void {
  const path = `${node.path}/text`;
  if (text === undefined || text === null || (typeof text === 'string' && text.trim() === '')) {
    report(
      path,
      'missing_content',
      `SMS ${node.label} has ${text === undefined || text === null ? 'no' : 'an empty'} "text"; write the message, e.g. ${TEXT_EXAMPLE}.`,
    );
    return;
  }
  if (typeof text !== 'string') return; // a schema error
  checkTemplate(text, path, `The text of ${node.label}`, 'the SMS', variables, report);
  const parsed = parseTemplate(text);
  if (!parsed.ok) return;
  // Each variable counts as the contact's value, else its default, else nothing.
  const rendered = parsed.segments
    .map((segment) =>
      segment.kind === 'text'
        ? segment.text
        : ((variables !== undefined && Object.hasOwn(variables, segment.name)
            ? variables[segment.name]
            : segment.fallback) ?? ''),
    )
    .join('');
  const { segments, encoding, units } = smsSegments(rendered);
  if (segments <= MAX_SMS_SEGMENTS) return;
  const perPart =
    encoding === 'gsm7'
      ? '153 GSM-7 characters'
      : '67 UCS-2 characters (a character outside GSM-7, such as an emoji or a curly quote, makes the whole text UCS-2)';
  report(
    path,
    'sms_segments',
    `The text of ${node.label} takes ${segments} SMS parts (${units} ${encoding === 'gsm7' ? 'septets' : 'UTF-16 units'}${variables === undefined ? ', counting each variable as its default' : ' for this contact'}); more than ${MAX_SMS_SEGMENTS} parts costs more and reads badly. A part holds ${perPart}; shorten the text.`,
  );
}

/** E.164: a plus, a country code that does not start with 0, at most 15 digits in all. */
const E164 = /^\+[1-9][0-9]{1,14}$/;

/**
 * The rule the service stores a contact's phone by (checkedContact): E.164 digits only, after trimming,
 * and a number that can exist by libphonenumber's full metadata. The same rule here, so a contact the
 * simulator sends an SMS to is one the database accepts ("+1 415 555 2671" and "+491234567" are not).
 */
function isStorablePhone(phone: string): boolean {
  const trimmed = phone.trim();
  return E164.test(trimmed) && isValidPhoneNumber(trimmed);
}

function checkContact(facts: PlanFacts, contact: ValidationContact, report: ReportIssue): void {
  const phone = typeof contact.phone === 'string' && contact.phone.trim() !== '' ? contact.phone : undefined;
  const email = typeof contact.email === 'string' && contact.email.trim() !== '' ? contact.email : undefined;
  let phoneChecked = false;
  for (const node of facts.nodes) {
    if (node.node === undefined || node.action !== 'send') continue;
    if (isSmsNode(node)) {
      if (phone === undefined) {
        report(
          node.path,
          'missing_phone',
          `SMS ${node.label} needs the contact's phone number, but the contact has none; add "phone" in E.164 form (such as "+14155552671") to the contact, or send this step by email.`,
        );
      } else if (!phoneChecked && !isStorablePhone(phone)) {
        phoneChecked = true;
        report(
          node.path,
          'invalid_phone',
          `SMS ${node.label} goes to the contact's phone ${describeValue(phone)}, which is not a valid E.164 number; write it as "+" then country code and number, without spaces (such as "+14155552671").`,
        );
      }
    } else if (email === undefined) {
      report(
        node.path,
        'missing_email',
        `Email ${node.label} needs the contact's email address, but the contact has none; add "email" to the contact, or make this step an SMS ("channel": "sms" with "text").`,
      );
    }
  }
}

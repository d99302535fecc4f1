import type { SendRecord } from '../engine/timeline-entries.ts';
import type { SendNode } from '../plan/plan-schema.ts';
import { renderSms } from '../template/sms.ts';
import { renderMessage } from '../template/template.ts';
import type { Contact } from './simulation-input.ts';

/** An email the simulated campaign sent: what a threaded follow-up replies to. */
export interface SentEmail {
  message: string;
  subject: string;
}

/**
 * The timeline record of `node`'s send for `contact` (DESIGN section 10): an SMS with its rendered text
 * and segment count; or an email with its rendered subject, which for `thread: true` after an earlier
 * email of the campaign (`latestEmail`) is `Re: ` + that email's subject unless the node has its own,
 * with `inReplyTo` naming that email's message. With no earlier email, `thread` is ignored.
 *
 * @throws MissingVariableError or TemplateSyntaxError from the templates.
 */
export function simulatedSend(
  node: SendNode,
  contact: Contact,
  base: { at: Date; message: string; dueAt: Date },
  latestEmail: SentEmail | null,
): SendRecord {
  const record = { kind: 'send' as const, node: node.id, ...base };
  if (node.channel === 'sms') {
    const sms = renderSms(node.text ?? '', contact);
    return { ...record, channel: 'sms', text: sms.text, segments: sms.segments };
  }
  const parent = node.thread === true ? latestEmail : null;
  const rendered = renderMessage(node, contact);
  if (!parent) return { ...record, subject: rendered.subject };
  const subject = node.subject === undefined ? `Re: ${parent.subject}` : rendered.subject;
  return { ...record, subject, inReplyTo: parent.message };
}

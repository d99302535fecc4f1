import type { ComposedMessage } from '../messages/compose.ts';
import { formatMessageIdHeader } from '../messages/message-id.ts';
import { formatRoutedId } from '../messages/routed-id.ts';
import type { OutboundEmail, OutboundSms } from '../ports/transport.ts';
import { outboundSender } from '../senders/campaign-sender.ts';
import type { Sender } from '../senders/sender.ts';
import { listUnsubscribeHeaders, signUnsubscribeToken } from '../unsubscribe/unsubscribe-token.ts';
import { echoHeaders } from './echo-headers.ts';

/** What the transport of a claimed message's channel is handed (`SendClaims` step 1). */
export function sendRequest(
  ids: { messageId: string; campaignId: string; contactId: string },
  composed: ComposedMessage,
  sender: Sender | null,
  settings: { messageIdDomain: string; unsubscribe?: { baseUrl: string; secret: string } | undefined },
): OutboundEmail | OutboundSms {
  const { messageId, contactId } = ids;
  const base = { ...ids, to: composed.to, ...outboundSender(sender) };
  if (composed.channel === 'sms')
    return { channel: 'sms', ...base, text: composed.text, segments: composed.segments };
  const { unsubscribe } = settings;
  return {
    ...base,
    messageIdHeader: formatMessageIdHeader(messageId, settings.messageIdDomain, contactId),
    subject: composed.subject,
    html: composed.body,
    headers: {
      ...(composed.thread
        ? { 'In-Reply-To': composed.thread.inReplyToHeader, References: composed.thread.references }
        : {}),
      // Every message, whatever the transport: the providers echo it back in their events.
      ...echoHeaders(messageId, contactId),
      ...(unsubscribe
        ? listUnsubscribeHeaders(
            `${unsubscribe.baseUrl.replace(/\/$/, '')}/${signUnsubscribeToken(formatRoutedId(messageId, contactId), unsubscribe.secret)}`,
          )
        : {}),
    },
  };
}

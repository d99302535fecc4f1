import { isGenuine } from '../engine/matching.ts';
import type { EngineContext, MessageRef, RecordedEvent } from '../engine/types.ts';

/**
 * The campaign's genuine engagements (branch `engaged`): each genuine `opened`, `clicked` or `replied`
 * event on one of its messages, with that message's send node. Opens and clicks exist for email only
 * (DESIGN section 10): one reported for an SMS is not engagement, as the database's query agrees.
 *
 * @param emailIds ids of the campaign's email messages (every other message is an SMS)
 */
export function campaignEngagements(
  recorded: readonly RecordedEvent[],
  messages: readonly MessageRef[],
  emailIds: ReadonlySet<string>,
): NonNullable<EngineContext['engagements']> {
  return recorded.flatMap((e) => {
    if (e.type !== 'opened' && e.type !== 'clicked' && e.type !== 'replied') return [];
    const message = messages.find((m) => m.id === e.messageId);
    if (!message || !isGenuine(e)) return [];
    if (e.type !== 'replied' && !emailIds.has(message.id)) return [];
    return [{ type: e.type, nodeId: message.nodeId }];
  });
}

/*
 * The Twilio webhook of the OpenAPI document (issue 12; F1 item 2: it was missing). Public: Twilio signs
 * each request with X-Twilio-Signature over PUBLIC_URL + the path and the form fields, not the API key.
 */

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: ref('Problem') } },
});

export const twilioPaths = {
  '/v1/webhooks/twilio': {
    post: {
      summary: "Twilio's SMS status callbacks and inbound messages (replies, STOP, START)",
      description:
        'Set as the status callback of each SMS (PUBLIC_URL + this path) and as the messaging webhook of your Twilio numbers. A status callback (`MessageStatus`) is a `delivered` (delivered) or `bounced` (failed, undelivered) event of the message whose provider id is `MessageSid`; other statuses are ignored. An inbound message (`From`, `To`, `Body`) is a `replied` event on the latest SMS sent between the two numbers; an opt-out keyword (STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT; any case, trimmed) is `unsubscribed` there and always suppresses the number for SMS, also when we never texted that contact from that number (then it is counted accepted once a contact has the number); START or UNSTOP lifts the suppression. A message from a number no contact has is rejected `unknown_message` and creates nothing.',
      parameters: [
        {
          name: 'X-Twilio-Signature',
          in: 'header',
          required: true,
          description:
            "Base64 HMAC-SHA1 of the URL and the sorted form fields under TWILIO_AUTH_TOKEN (Twilio's scheme)",
          schema: { type: 'string' },
        },
      ],
      requestBody: {
        required: true,
        content: {
          'application/x-www-form-urlencoded': {
            schema: {
              type: 'object',
              required: ['MessageSid'],
              properties: {
                MessageSid: { type: 'string', description: '`SM...`; SmsSid is taken in its place' },
                MessageStatus: {
                  type: 'string',
                  description: 'Status callbacks only: queued, sent, delivered, undelivered, failed...',
                },
                ErrorCode: { type: 'string' },
                From: { type: 'string', description: 'E.164' },
                To: { type: 'string', description: 'E.164' },
                Body: { type: 'string', description: 'Inbound messages only: the text' },
              },
            },
          },
        },
      },
      responses: {
        200: {
          description: '{accepted, duplicates, ignored, rejected}: at most one of them counts this request',
          content: { 'application/json': { schema: ref('WebhookResult') } },
        },
        400: problem('malformed: no MessageSid, or neither a status callback nor an inbound message'),
        401: problem(
          'missing_signature or invalid_signature (nothing stored), or provider_not_configured (no TWILIO_AUTH_TOKEN)',
        ),
      },
    },
  },
};

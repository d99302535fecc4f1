/**
 * Provider credentials come from the environment, named per sender, never from the database:
 * `SENDER_<ID>_<NAME>`, where `<ID>` is the sender's id upper-cased with every character other than a
 * letter or digit as `_` (sender `snd_01hx-eu` → `SENDER_SND_01HX_EU_API_KEY`).
 */
export function senderEnvName(senderId: string, name: string): string {
  return `SENDER_${senderId.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_${name}`;
}

/** The environment variable, or undefined when it is unset or blank. */
export function envValue(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/** The environment variable that gives each provider's API base URL (for a stand-in, a proxy, a region). */
export const BASE_URL_ENV = {
  sendgrid: 'SENDGRID_API_BASE_URL',
  mailgun: 'MAILGUN_API_BASE_URL',
  postmark: 'POSTMARK_API_BASE_URL',
  ses: 'SES_API_ENDPOINT',
  resend: 'RESEND_API_BASE_URL',
} as const;

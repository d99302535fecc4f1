import type { RuntimeConfig } from './config.ts';

/** What a redacted value is replaced with. */
export const REDACTED = '[redacted]';

/**
 * Request and response headers that carry credentials: the API key and the sign-in cookie, and what
 * providers sign or authenticate webhooks with (SendGrid's ECDSA signature, Svix's HMAC for Resend,
 * Postmark's basic auth in `authorization`). Mailgun signs inside the body, which is never logged.
 */
export const SECRET_HEADERS = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'x-postmark-server-token',
  'x-twilio-email-event-webhook-signature',
  'svix-signature',
  'webhook-signature',
] as const;

/** pino `redact` paths: the secret headers of pino-http's `req` and `res`, and of any logged `headers`. */
export const LOG_REDACT_PATHS: string[] = [
  ...['req.headers', 'res.headers', 'headers'].flatMap((base) =>
    SECRET_HEADERS.map((name) => `${base}["${name}"]`),
  ),
  // A sender's IMAP password (issue 13), wherever a body or settings object carrying it is logged.
  ...['imap.password', '*.imap.password', 'password', '*.password'],
];

/** `scheme://user:password@` in free text; the password may hold anything but whitespace and `@`. */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:@/?#"']*:)[^\s@"']+@/gi;

/**
 * `url` with its password replaced by `***` (`postgres://app:***@db:5432/app`); the user name stays, so
 * an operator still sees which account was used. Anything that does not parse as a URL gets the same
 * treatment textually.
 */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password === '') return url;
    parsed.password = '***';
    return parsed.toString();
  } catch {
    return redactUrlsIn(url);
  }
}

/** Every `scheme://user:password@` in `text` (an error message, a log line) with the password as `***`. */
export function redactUrlsIn(text: string): string {
  return text.replace(URL_CREDENTIALS, '$1***@');
}

/**
 * The environment variables that hold a sender's provider credentials (`SENDER_<ID>_API_KEY`, the SES
 * key pair, an auth token): never stored in the database, never returned, never logged.
 */
export const SENDER_CREDENTIAL_VARIABLE =
  /^SENDER_[A-Z0-9_]+_(API_KEY|AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|AUTH_TOKEN)$/;

/** The values of `env`'s sender credential variables (see `SENDER_CREDENTIAL_VARIABLE`). */
export function senderCredentialValues(env: Readonly<Record<string, string | undefined>>): string[] {
  return Object.entries(env).flatMap(([name, value]) =>
    SENDER_CREDENTIAL_VARIABLE.test(name) && value !== undefined ? [value.trim()] : [],
  );
}

/**
 * The secret values of a configuration (and of `env`'s sender credentials), in every spelling a log
 * line could carry them: as they are, JSON-escaped, percent-decoded (a URL's password), and the
 * Postmark basic-auth credentials in base64. Values shorter than 8 characters are left out: replacing
 * them would mangle ordinary words, and the URL rule covers them where they occur in a connection string.
 */
export function configSecrets(
  config: RuntimeConfig,
  env: Readonly<Record<string, string | undefined>> = {},
): string[] {
  const values: (string | undefined)[] = [
    config.apiKey,
    config.apiKeyPrevious,
    config.unsubscribeSecret,
    config.unsubscribeSecretPrevious,
    config.webhooks.mailgunSigningKey,
    config.webhooks.postmark?.password,
    config.webhooks.resendSecret,
    config.twilio?.authToken,
    env.IMAP_SECRET_KEY,
    ...senderCredentialValues(env),
  ];
  if (config.twilio) {
    // The Basic authorization the SDK sends Twilio.
    values.push(Buffer.from(`${config.twilio.accountSid}:${config.twilio.authToken}`).toString('base64'));
  }
  if (config.webhooks.postmark) {
    const { username, password } = config.webhooks.postmark;
    values.push(Buffer.from(`${username}:${password}`).toString('base64'));
  }
  for (const url of [config.databaseUrl, config.redisUrl, config.smtpUrl]) {
    if (!url) continue;
    try {
      const { password } = new URL(url);
      values.push(password);
      values.push(decodeURIComponent(password));
    } catch {
      // an unparsable URL was refused by loadConfig already
    }
  }
  const spellings = new Set<string>();
  for (const value of values) {
    if (value === undefined || value.length < 8) continue;
    spellings.add(value);
    spellings.add(JSON.stringify(value).slice(1, -1));
  }
  // Longest first, so a secret that contains another is replaced whole.
  return [...spellings].sort((a, b) => b.length - a.length);
}

/**
 * A scrubber for whole log lines: URL passwords become `***`, and every one of `secrets` becomes
 * `[redacted]`. It is the net under the structured redaction (headers by path), for the secret that
 * reaches a message or an error by a way nobody foresaw.
 */
export function lineScrubber(secrets: readonly string[]): (line: string) => string {
  return (line) => {
    let out = redactUrlsIn(line);
    for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    return out;
  };
}

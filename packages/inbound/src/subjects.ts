/*
 * Subject lines that mark a message as automatic when no header does (many out-of-office replies
 * carry no RFC 3834 header: Outlook's "Automatic reply:", Lotus Notes' "AUTO:", hand-made vacation
 * rules), and the subjects of non-standard bounces. Matched at the start of the subject only, so a
 * person who writes "Re: out of office next week?" is still a person.
 */

/**
 * Phrases that start an out-of-office or auto-reply subject, lower-case, in English, German, French,
 * Spanish, Italian, Dutch and Portuguese. A phrase matches when the subject starts with it and the next
 * character is not a letter or digit ("Out of office: ...", "Abwesenheitsnotiz (Urlaub)").
 */
const AUTO_REPLY_PHRASES = [
  // English (Outlook/Exchange, Gmail rules, Lotus Notes, Zimbra, generic)
  'out of office',
  'out of the office',
  'out-of-office',
  'automatic reply',
  'automatic response',
  'auto reply',
  'auto-reply',
  'autoreply',
  'auto response',
  'auto-response',
  'autoresponse',
  'auto:',
  'i am out of the office',
  'i will be out of the office',
  "i'm out of the office",
  'away from the office',
  'on vacation',
  'vacation reply',
  'away message',
  // German
  'abwesenheitsnotiz',
  'abwesenheitsmeldung',
  'automatische antwort',
  'automatische abwesenheitsnotiz',
  'automatische rückantwort',
  'ich bin nicht im büro',
  'außer haus',
  'nicht im büro',
  // French
  'réponse automatique',
  'reponse automatique',
  "message d'absence",
  'absent du bureau',
  'absente du bureau',
  // Spanish
  'respuesta automática',
  'respuesta automatica',
  'fuera de la oficina',
  'fuera de oficina',
  'respuesta de ausencia',
  'mensaje de ausencia',
  // Italian, Dutch, Portuguese
  'risposta automatica',
  'fuori sede',
  'fuori ufficio',
  'automatisch antwoord',
  'afwezigheidsbericht',
  'resposta automática',
  'resposta automatica',
  'ausência',
];

/**
 * Single words that are an out-of-office subject only when they stand alone or before a colon or
 * dash ("Absence", "Absence : du 1er au 15", "Ausente - vuelvo el lunes"): "Absence of data" is not one.
 */
const AUTO_REPLY_WORDS = [
  'absence',
  'absent',
  'absente',
  'ausente',
  'ausencia',
  'abwesend',
  'abwesenheit',
  'afwezig',
  'urlaub',
  'vacation',
  'vacances',
  'vacaciones',
];

/**
 * Subjects of bounces that MTAs write without a machine-readable report (RFC 3464): Postfix, Exim,
 * qmail, Sendmail, Gmail, Exchange (English, German, French, Spanish), and generic ones.
 */
const BOUNCE_PHRASES = [
  'undelivered mail returned to sender',
  'mail delivery failed',
  'delivery status notification (failure)',
  'delivery status notification (delay)',
  'undeliverable',
  'undeliverable mail',
  'failure notice',
  'returned mail',
  'mail delivery failure',
  'delivery failure',
  'delivery has failed',
  'delivery notification: delivery has failed',
  'nondeliverable mail',
  'non-delivery report',
  'mail system error - returned mail',
  'unzustellbar',
  'nicht zustellbar',
  'non remis',
  'non distribuable',
  'no se puede entregar',
  'no entregable',
];

/** The phrase of an out-of-office subject that `subject` starts with, or null. */
export function autoReplySubject(subject: string): string | null {
  const text = normalize(subject);
  const phrase = AUTO_REPLY_PHRASES.find((candidate) => startsWithPhrase(text, candidate));
  if (phrase) return phrase;
  return AUTO_REPLY_WORDS.find((word) => new RegExp(`^${word}\\s*(?:$|[:\\-–(])`, 'u').test(text)) ?? null;
}

/** The phrase of a non-standard bounce subject that `subject` starts with, or null. */
export function bounceSubject(subject: string): string | null {
  const text = normalize(subject);
  return BOUNCE_PHRASES.find((candidate) => startsWithPhrase(text, candidate)) ?? null;
}

function normalize(subject: string): string {
  return subject.normalize('NFC').trim().toLowerCase().replace(/\s+/g, ' ');
}

function startsWithPhrase(text: string, phrase: string): boolean {
  if (!text.startsWith(phrase)) return false;
  if (phrase.endsWith(':')) return true;
  const next = text.charAt(phrase.length);
  return next === '' || !/[\p{L}\p{N}]/u.test(next);
}

import { contactVariables, renderTemplate, type TemplateContact } from './template.ts';

/** How many SMS parts a text takes, and in which encoding. */
export interface SmsSegmentCount {
  /** Parts the text is sent as (1 for a text that fits one message, the empty text included). */
  segments: number;
  /** `gsm7` when every character is in the GSM 03.38 default alphabet or its extension table. */
  encoding: 'gsm7' | 'ucs2';
  /** Septets for `gsm7` (an extension character counts 2), UTF-16 code units for `ucs2`. */
  units: number;
}

/**
 * The GSM 03.38 default alphabet, in table order (0x00..0x7F) without 0x1B, the escape to the
 * extension table. Each costs one septet. 0x09 is the capital C-cedilla, as the standard writes it.
 */
export const GSM7_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';

/** The GSM 03.38 extension table: each is sent as escape + character, two septets. */
export const GSM7_EXTENSION = '\f^{}\\[~]|€';

const BASIC = new Set(GSM7_BASIC);
const EXTENSION = new Set(GSM7_EXTENSION);

/** One message holds 160 septets, or 153 each when concatenated (the rest is the UDH). */
const GSM7_SINGLE = 160;
const GSM7_PART = 153;
/** One message holds 70 UTF-16 code units, or 67 each when concatenated. */
const UCS2_SINGLE = 70;
const UCS2_PART = 67;

/**
 * Counts the SMS parts of a text (DESIGN section 10, `sms_segments`). GSM-7 when every character is
 * in the default alphabet (1 septet) or the extension table (2 septets): one part up to 160 septets,
 * else ceil(units / 153). Any other character makes the whole text UCS-2, counted in UTF-16 code units
 * (an emoji outside the BMP is 2): one part up to 70, else ceil(units / 67). The empty text counts as
 * one part: sending it would still take one message (the validator refuses an empty `text`).
 *
 * The count does not model a carrier that refuses to split an escape sequence or a surrogate pair
 * across parts; such a carrier may use one part more near a boundary.
 */
export function smsSegments(text: string): SmsSegmentCount {
  let septets = 0;
  for (const char of text) {
    if (BASIC.has(char)) septets += 1;
    else if (EXTENSION.has(char)) septets += 2;
    else
      return { encoding: 'ucs2', units: text.length, segments: parts(text.length, UCS2_SINGLE, UCS2_PART) };
  }
  return { encoding: 'gsm7', units: septets, segments: parts(septets, GSM7_SINGLE, GSM7_PART) };
}

function parts(units: number, single: number, part: number): number {
  return units <= single ? 1 : Math.ceil(units / part);
}

/**
 * Renders an SMS `text` template for a contact: plain text, no HTML escaping; each variable takes the
 * contact's value (see `contactVariables`), else its default.
 *
 * @returns the text and its segment count.
 * @throws TemplateSyntaxError when the template does not parse.
 * @throws MissingVariableError listing every variable with no value and no default.
 */
export function renderSms(text: string, contact: TemplateContact): { text: string } & SmsSegmentCount {
  const rendered = renderTemplate(text, contactVariables(contact), { escapeHtml: false });
  return { text: rendered, ...smsSegments(rendered) };
}

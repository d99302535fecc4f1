import { convert } from 'html-to-text';

/**
 * The plain-text alternative of an HTML email body (every email goes as multipart/alternative: HTML-only
 * mail is scored as spam more often). Links keep their address in brackets; images are dropped.
 */
export function plainTextOf(html: string): string {
  return convert(html, {
    wordwrap: 78,
    selectors: [{ selector: 'img', format: 'skip' }],
  });
}

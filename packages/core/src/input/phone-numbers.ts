import { createRequire } from 'node:module';
import type * as PhoneMin from 'libphonenumber-js';
import type * as PhoneMax from 'libphonenumber-js/max';

/*
 * libphonenumber-js with its full metadata takes a tenth of a second to load: it is loaded on the first
 * phone number checked, not by everything that imports core.
 */
const require = createRequire(import.meta.url);
let max: typeof PhoneMax | undefined;
let min: typeof PhoneMin | undefined;

/** A valid number for its region (full metadata), as `isValidPhoneNumber` of `libphonenumber-js/max`. */
export function isValidPhoneNumber(text: string): boolean {
  max ??= require('libphonenumber-js/max') as typeof PhoneMax;
  return max.isValidPhoneNumber(text);
}

/** A number of a possible length for its region, as `isPossiblePhoneNumber` of `libphonenumber-js`. */
export function isPossiblePhoneNumber(text: string): boolean {
  min ??= require('libphonenumber-js') as typeof PhoneMin;
  return min.isPossiblePhoneNumber(text);
}

export { plainTextOf } from './plain-text.ts';

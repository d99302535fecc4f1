export type { MessageFacts } from './classify.ts';
export { classify } from './classify.ts';
export type { InboundErrorCode } from './errors.ts';
export { InboundError } from './errors.ts';
export { parseInbound } from './parse.ts';
export type { InboundClassification, InboundEvent, InboundKind, ParsedInbound } from './types.ts';
export { MAX_INBOUND_BYTES } from './types.ts';

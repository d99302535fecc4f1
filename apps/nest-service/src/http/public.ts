import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'campaign:public';

/**
 * Marks a controller or a route as reachable without the API key: it authenticates otherwise (provider
 * signatures, signed unsubscribe tokens, the sign-in itself) or serves nothing secret (health, metrics,
 * docs). Every route without it needs the key: the guard denies by default.
 */
export const Public = () => SetMetadata(IS_PUBLIC, true);

import type { IncomingMessage } from 'node:http';
import type { RequestHandler, Response } from 'express';
import {
  roleAllows,
  type BasicUsers,
  type Identity,
  type Role,
  type TokenRegistry,
} from '../security/tokens.js';
import { HttpError } from './errors.js';

/** A middleware that states the role its route needs: what the route-table test reads. */
export type RoleCheck = RequestHandler & { readonly role: Role; readonly enforced: boolean };

export const ROLE_CHECK = Symbol('tradewatch.role');

/** The identity `requireRole` found for this request, if any. */
export const identityOf = (res: Response): Identity | undefined =>
  res.locals.identity as Identity | undefined;

function bearerToken(header: string | undefined): string | undefined {
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match ? match[1] : undefined;
}

const identified = new WeakMap<
  IncomingMessage,
  { tokens: TokenRegistry; identity: Identity | undefined }
>();

/**
 * The identity of the request's bearer token (undefined: no token, or one not accepted), looked
 * up once per request: the rate limiter keys on it before `requireRole` checks it.
 */
export function bearerIdentity(tokens: TokenRegistry, req: IncomingMessage): Identity | undefined {
  const token = bearerToken(req.headers.authorization);
  if (token === undefined) return undefined;
  const known = identified.get(req);
  if (known?.tokens === tokens) return known.identity;
  const identity = tokens.identify(token);
  identified.set(req, { tokens, identity });
  return identity;
}

/**
 * Bearer-token check for a route needing `role`: 401 without a token, 403 for a token that is
 * not accepted or whose role is too weak. With `enforced` false (reads while
 * `auth.require_reader` is off) every request passes, a valid token still naming its sender.
 */
export function requireRole(tokens: TokenRegistry, role: Role, enforced = true): RoleCheck {
  const check: RequestHandler = (req, res, next) => {
    const token = bearerToken(req.headers.authorization);
    if (token === undefined) {
      if (!enforced) return next();
      return next(
        new HttpError(
          401,
          'unauthorized',
          tokens.size === 0
            ? `this route needs a ${role} token and none is configured`
            : 'send Authorization: Bearer <token>',
        ),
      );
    }
    const identity = bearerIdentity(tokens, req);
    if (!identity) {
      return next(
        enforced ? new HttpError(403, 'forbidden', 'the token is not accepted') : undefined,
      );
    }
    if (!roleAllows(identity.role, role)) {
      if (!enforced) return next();
      return next(
        new HttpError(
          403,
          'forbidden',
          `this route needs the ${role} role; the token has ${identity.role}`,
        ),
      );
    }
    res.locals.identity = identity;
    next();
  };
  return Object.assign(check, { role, enforced, [ROLE_CHECK]: true });
}

export function isRoleCheck(handler: unknown): handler is RoleCheck {
  return typeof handler === 'function' && ROLE_CHECK in handler;
}

/**
 * Whether a scrape may read `/metrics`: always when `auth.metrics.require_auth` is off, else
 * with a Bearer token of any role or a Basic user of `auth.metrics.basic_auth` (the two ways
 * a Prometheus scrape config authenticates). A plain `node:http` check: scrapes bypass express.
 */
export function scrapeAuthorizer(
  required: boolean,
  tokens: TokenRegistry,
  users: BasicUsers,
): (req: IncomingMessage) => boolean {
  if (!required) return () => true;
  return (req) => {
    const header = req.headers.authorization;
    if (!header) return false;
    const token = bearerToken(header);
    if (token !== undefined) return tokens.identify(token) !== undefined;
    const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
    if (!basic) return false;
    const decoded = Buffer.from(basic[1] as string, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return false;
    return users.check(decoded.slice(0, colon), decoded.slice(colon + 1)) !== undefined;
  };
}

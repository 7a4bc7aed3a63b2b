import { Inject, Injectable } from '@nestjs/common';
import * as jwt from 'jsonwebtoken';
import { createHash, createSecretKey, randomBytes } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '../config';
import { Unauthorized } from '../errors';

export const JWT_SECRET = Symbol('JWT_SECRET');

/** Separate audiences: a user token never opens /admin/v1 and a staff token never acts as a user. */
export const USER_AUDIENCE = 'backchannel:user';
export const STAFF_AUDIENCE = 'backchannel:staff';
/** Issued at sign-in to a suspended or banned account: it opens the appeal routes and nothing else. */
export const APPEAL_AUDIENCE = 'backchannel:appeal';
const ISSUER = 'backchannel';
/** Verified tokens remembered at most (then forgotten all at once and verified again). */
const VERIFIED_CACHE_MAX = 20_000;

export interface AccessClaims {
  sub: string;
  aud: string;
  role?: string;
  /** The refresh family (one sign-in) a user token belongs to; ending it ends the token. */
  fid?: string;
  /** Expiry, seconds since the epoch: a socket opened with the token closes then. */
  exp: number;
}

@Injectable()
export class TokensService {
  constructor(
    @Inject(JWT_SECRET) private readonly secret: string,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * The secret as a KeyObject: given a string, jsonwebtoken's verify first tries to parse it
   * as a PEM public key on every call and throws, which cost a quarter of the API's CPU per
   * REST request (docs/BENCHMARKS.md).
   */
  private readonly verifyKey = createSecretKey(Buffer.from(this.secret));

  signAccess(subject: string, audience: string, extra: Record<string, unknown> = {}): string {
    return jwt.sign(extra, this.secret, {
      algorithm: 'HS256',
      subject,
      audience,
      issuer: ISSUER,
      expiresIn: this.config.accessTokenTtlSeconds,
    });
  }

  /**
   * Tokens whose signature was verified lately, by audience and token: a client sends the same
   * token on every request until it expires, and the HMAC and JSON parsing were a tenth of a
   * REST send's CPU. A hit still checks the expiry (as jsonwebtoken does, to the second);
   * anything that can end a token earlier (sign-out, suspension) is checked by the caller.
   */
  private readonly verified = new Map<string, AccessClaims>();

  verifyAccess(token: string, audience: string): AccessClaims {
    const key = `${audience} ${token}`;
    const hit = this.verified.get(key);
    if (hit && Math.floor(Date.now() / 1000) < hit.exp) return { ...hit };
    try {
      const claims = jwt.verify(token, this.verifyKey, { algorithms: ['HS256'], audience, issuer: ISSUER }) as jwt.JwtPayload;
      if (typeof claims.sub !== 'string' || typeof claims.exp !== 'number') throw new Error('no subject or expiry');
      const out: AccessClaims = {
        sub: claims.sub,
        aud: audience,
        role: typeof claims.role === 'string' ? claims.role : undefined,
        fid: typeof claims.fid === 'string' ? claims.fid : undefined,
        exp: claims.exp,
      };
      if (this.verified.size >= VERIFIED_CACHE_MAX) this.verified.clear();
      this.verified.set(key, out);
      return { ...out };
    } catch {
      if (hit) this.verified.delete(key);
      throw new Unauthorized('The access token is missing, invalid or expired.');
    }
  }

  /** Refresh tokens are opaque random strings; only their SHA-256 is stored. */
  newRefreshToken(): { token: string; hash: string } {
    const token = randomBytes(32).toString('base64url');
    return { token, hash: TokensService.hashRefresh(token) };
  }

  static hashRefresh(token: string): string {
    return createHash('sha256').update(token).digest('hex');
  }
}

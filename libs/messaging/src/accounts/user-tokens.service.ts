import { Inject, Injectable } from '@nestjs/common';
import { createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify, type JWTVerifyGetKey, type JWTPayload } from 'jose';
import { APP_CONFIG, type AppConfig } from '../config';
import { ServiceUnavailable, Unauthorized } from '../errors';
import { EXTERNAL_ID, ExternalAccountsService } from './external-accounts.service';
import { TokensService, USER_AUDIENCE, type AccessClaims } from './tokens.service';

/** Only asymmetric algorithms: a host token is checked with public keys, so `none` and HS* are refused. */
export const HOST_ALGORITHMS = ['RS256', 'ES256'];
/** jose's codes for "the JWKS could not be fetched or read" (anything else is the token's fault). */
const JWKS_UNREADABLE = new Set(['ERR_JOSE_GENERIC', 'ERR_JWKS_TIMEOUT', 'ERR_JWKS_INVALID']);
/** Clock skew tolerated between the host's identity provider and us. */
export const HOST_CLOCK_TOLERANCE_SECONDS = 30;

/**
 * Who an end-user bearer token (REST and the socket handshake) belongs to. Our own tokens
 * (HS256, signed with JWT_SECRET) are checked as always, without touching the network.
 * With AUTH_JWKS_URL, AUTH_ISSUER and AUTH_AUDIENCE set, a token of any other algorithm is
 * taken as issued by the host app's identity provider: verified with jose against the
 * host's JWKS (fetched once and cached; a `kid` we have not seen triggers a refetch, at most
 * once per cooldown, which is how key rotation is picked up), RS256/ES256 only, issuer and
 * audience checked, expiry required. `sub` is the externalId; a first-seen `sub` becomes a
 * Backchannel user (ExternalAccountsService.provision).
 */
@Injectable()
export class UserTokensService {
  private readonly jwks: JWTVerifyGetKey | null;

  constructor(
    private readonly tokens: TokensService,
    private readonly external: ExternalAccountsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    const host = config.hostAuth;
    this.jwks = host
      ? createRemoteJWKSet(new URL(host.jwksUrl), {
          cooldownDuration: host.jwksCooldownSeconds * 1000,
          cacheMaxAge: 10 * 60 * 1000,
          timeoutDuration: 5000,
        })
      : null;
  }

  async verify(token: string): Promise<AccessClaims> {
    if (!this.jwks || this.isOurs(token)) return this.tokens.verifyAccess(token, USER_AUDIENCE);
    return this.verifyHost(token);
  }

  private isOurs(token: string): boolean {
    try {
      return decodeProtectedHeader(token).alg === 'HS256';
    } catch {
      return true; // not a JWS at all: our verifier answers 401
    }
  }

  private async verifyHost(token: string): Promise<AccessClaims> {
    const host = this.config.hostAuth!;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.jwks!, {
        algorithms: HOST_ALGORITHMS,
        issuer: host.issuer,
        audience: host.audience,
        clockTolerance: HOST_CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['sub', 'exp'],
      }));
    } catch (err) {
      // The identity provider unreachable is not the client's fault: 503, retry later.
      if (!(err instanceof errors.JOSEError) || JWKS_UNREADABLE.has(err.code)) {
        throw new ServiceUnavailable("The host's identity provider (JWKS) cannot be reached; retry shortly.");
      }
      throw new Unauthorized('The access token is missing, invalid or expired.');
    }
    if (typeof payload.sub !== 'string' || !EXTERNAL_ID.test(payload.sub) || typeof payload.exp !== 'number') {
      throw new Unauthorized('The host token has no usable sub.');
    }
    const userId = await this.external.provision(payload.sub, { preferredUsername: payload.preferred_username, name: payload.name });
    return { sub: userId, aud: USER_AUDIENCE, exp: payload.exp };
  }
}

import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '@app/messaging/config';
import { NotFound, Unauthorized } from '@app/messaging/errors';
import { RateLimitsService } from '@app/messaging/limits/rate-limits.service';
import { bearer, clientIp } from '../http/auth';

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * /platform/v1: the host app's backend, with a key from PLATFORM_API_KEYS. No keys
 * configured: every platform route answers 404 (the API is not there). A key is compared in
 * constant time against every configured key (SHA-256 digests, so lengths do not leak
 * either, and no early exit). The key's NAME rides on the request for the request log
 * (app.module's pino customProps) and names the per-key rate limit; the key itself is never
 * logged (the authorization header is redacted). User and staff tokens are not keys (401),
 * and a platform key is not a token anywhere else.
 *
 * Wrong keys are throttled per client address (LIMIT_PLATFORM_AUTH_FAILURES) before any
 * answer depends on the key: a wrong key spends one point atomically (401, then 429 once
 * spent), and a right key from an address whose failures are spent is refused too (429), so
 * guessing past the bound learns nothing. A right key spends nothing, so the host's own
 * parallel calls never trip it. The comparison itself is in memory: no I/O before the check.
 */
@Injectable()
export class PlatformKeyGuard implements CanActivate {
  private readonly keys: Array<{ name: string; digest: Buffer }>;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly limits: RateLimitsService,
  ) {
    this.keys = config.platformApiKeys.map((k) => ({ name: k.name, digest: digest(k.key) }));
  }

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (this.keys.length === 0) throw new NotFound();
    const req = ctx.switchToHttp().getRequest();
    const given = digest(bearer(req.headers.authorization));
    let name: string | null = null;
    for (const k of this.keys) if (timingSafeEqual(k.digest, given) && name === null) name = k.name;
    const ip = clientIp(req);
    if (name === null) {
      await this.limits.consume('platformAuthFailuresPerIp', ip);
      throw new Unauthorized('This platform key is not valid.');
    }
    await this.limits.check('platformAuthFailuresPerIp', ip);
    req.platformKey = name;
    await this.limits.consume('platformPerKey', name);
    return true;
  }
}

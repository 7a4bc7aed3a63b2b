import { CanActivate, createParamDecorator, ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AccountStatusService } from '@app/messaging/accounts/account-status.service';
import { SessionRevocations } from '@app/messaging/accounts/session-revocations.service';
import { APPEAL_AUDIENCE, STAFF_AUDIENCE, TokensService, USER_AUDIENCE } from '@app/messaging/accounts/tokens.service';
import { Db } from '@app/messaging/db/db.service';
import { UserTokensService } from '@app/messaging/accounts/user-tokens.service';
import { ForbiddenRole, Unauthorized } from '@app/messaging/errors';
import { STAFF_ROLE_RANK, type StaffRole } from '@app/messaging/accounts/staff-roles';
import { staffById } from '@app/messaging/safety/staff/staff.repository';

export interface AuthUser {
  id: string;
}
export interface AuthStaff {
  id: string;
  email: string;
  role: StaffRole;
  displayName: string;
}

export function bearer(header: unknown): string {
  if (typeof header !== 'string') throw new Unauthorized();
  const m = /^Bearer\s+(\S+)$/i.exec(header.trim());
  if (!m) throw new Unauthorized('Use the header "Authorization: Bearer <accessToken>".');
  return m[1];
}

/**
 * End-user routes: a user-audience token of a sign-in that was not ended (logout, refresh
 * reuse: 401 session_revoked, answered from memory) of an account in good standing; or,
 * when configured, a token issued by the host app's identity provider (UserTokensService).
 */
@Injectable()
export class UserAuthGuard implements CanActivate {
  constructor(
    private readonly tokens: UserTokensService,
    private readonly status: AccountStatusService,
    private readonly sessions: SessionRevocations,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest();
    req.user = await this.authenticate(req.headers.authorization);
    return true;
  }

  /** The guard's check on an Authorization header, also used by the hot send route (fast-send.ts). */
  async authenticate(authorization: unknown): Promise<AuthUser> {
    const claims = await this.tokens.verify(bearer(authorization));
    this.sessions.assertLive(claims);
    await this.status.assertActive(claims.sub);
    return { id: claims.sub };
  }
}

/**
 * Appeal routes: an end-user token of an account in good standing, or the appeal-only token
 * a suspended or banned account receives at sign-in (they must be able to appeal).
 */
@Injectable()
export class AppealAuthGuard implements CanActivate {
  constructor(
    private readonly tokens: TokensService,
    private readonly status: AccountStatusService,
    private readonly sessions: SessionRevocations,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest();
    const token = bearer(req.headers.authorization);
    let userId: string;
    try {
      userId = this.tokens.verifyAccess(token, APPEAL_AUDIENCE).sub;
      if ((await this.status.status(userId)) === 'missing') throw new Unauthorized('This account no longer exists.');
    } catch (err) {
      if (!(err instanceof Unauthorized)) throw err;
      const claims = this.tokens.verifyAccess(token, USER_AUDIENCE);
      this.sessions.assertLive(claims);
      userId = claims.sub;
      await this.status.assertActive(userId);
    }
    req.user = { id: userId } satisfies AuthUser;
    return true;
  }
}

const MIN_ROLE = 'staff:minRole';
/** The least role that may call a staff route (admin ⊃ moderator ⊃ triage). */
export const MinRole = (role: StaffRole) => SetMetadata(MIN_ROLE, role);

/**
 * Staff routes: a staff-audience token; the role is read from the database on each call so
 * a demotion or a disabled account takes effect at once.
 */
@Injectable()
export class StaffAuthGuard implements CanActivate {
  constructor(
    private readonly tokens: TokensService,
    private readonly db: Db,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest();
    const { id, email, role, displayName } = await this.authenticate(bearer(req.headers.authorization));
    const staff: AuthStaff = { id, email, role, displayName };
    const min = this.reflector.getAllAndOverride<StaffRole | undefined>(MIN_ROLE, [ctx.getHandler(), ctx.getClass()]) ?? 'triage';
    if (STAFF_ROLE_RANK[staff.role] < STAFF_ROLE_RANK[min]) {
      throw new ForbiddenRole(`This needs the ${min} role; you are ${staff.role}.`);
    }
    req.staff = staff;
    return true;
  }

  /** The guard's check on a staff token, also used by the staff socket's handshake (gateway/staff.gateway.ts). */
  async authenticate(token: string): Promise<AuthStaff & { expiresAt: number }> {
    const claims = this.tokens.verifyAccess(token, STAFF_AUDIENCE);
    const row = await staffById(this.db, claims.sub);
    if (!row || row.disabled) throw new Unauthorized('This staff account is disabled.');
    return { id: row.id, email: row.email, role: row.role, displayName: row.displayName, expiresAt: claims.exp * 1000 };
  }
}

export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): AuthUser => ctx.switchToHttp().getRequest().user);
export const CurrentStaff = createParamDecorator((_: unknown, ctx: ExecutionContext): AuthStaff => ctx.switchToHttp().getRequest().staff);
/** The client's address: the socket's, or X-Forwarded-For from a loopback proxy ('trust proxy'). */
export const clientIp = (req: { ip?: string; socket?: { remoteAddress?: string } }): string =>
  req.ip ?? req.socket?.remoteAddress ?? 'unknown';
export const ClientIp = createParamDecorator((_: unknown, ctx: ExecutionContext): string => clientIp(ctx.switchToHttp().getRequest()));

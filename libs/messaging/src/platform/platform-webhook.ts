import { Inject, Injectable } from '@nestjs/common';
import { createHmac } from 'node:crypto';
import { promises as dns, type LookupAddress } from 'node:dns';
import * as http from 'node:http';
import * as https from 'node:https';
import { isIPv4, isIPv6 } from 'node:net';
import { APP_CONFIG, type AppConfig } from '../config';
import type { Queryable } from '../db/db.service';
import { newId } from '../ids';
import { resolveFetchableAddresses, SsrfRefusedError } from '../net/ssrf-guard';
import { JobName, type OutboxJob, type PlatformWebhookBody } from '../queues';
import { findHostUserStanding } from './platform.repository';

export const SIGNATURE_HEADER = 'X-Backchannel-Signature';
/** Deliveries are retried 10 times, 2 s, 4 s, 8 s ... apart (about 17 minutes in all). */
const ATTEMPTS = 10;
const BACKOFF_MS = 2000;
const TIMEOUT_MS = 10_000;
/** Staff actions against a person that the host app hears about (not content removal). */
const REPORTED_ACTIONS = new Set(['warn', 'restrict_messaging', 'suspend', 'ban']);

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`, as Stripe signs its webhooks. */
export function signWebhook(secret: string, rawBody: string, at = Math.floor(Date.now() / 1000)): string {
  const v1 = createHmac('sha256', secret).update(`${at}.${rawBody}`).digest('hex');
  return `t=${at},v1=${v1}`;
}

/** A delivery that must not be retried (refused address, misconfiguration). */
export class PermanentDeliveryError extends Error {}

/**
 * Tells the host app's backend when staff act against one of its users (an account with an
 * externalId), so it can act on its side too. The job is written to the outbox inside the
 * staff action's transaction (nothing is sent for an action that rolled back) and delivered
 * by the worker: JSON POSTed to PLATFORM_WEBHOOK_URL, signed with PLATFORM_WEBHOOK_SECRET,
 * retried with exponential backoff on any failure but a refused address. The address is
 * resolved and checked before connecting (no loopback, private, link-local or metadata
 * address unless PLATFORM_WEBHOOK_ALLOW_PRIVATE=true), and the connection goes to exactly
 * that checked address, so a DNS answer that changes in between cannot redirect it.
 */
@Injectable()
export class PlatformWebhooks {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** The job for an action against `userId`, inside the caller's transaction; none when not configured or not a host user. */
  async jobsFor(
    q: Queryable,
    userId: string,
    type: PlatformWebhookBody['type'],
    action: PlatformWebhookBody['action'],
  ): Promise<OutboxJob[]> {
    if (!this.config.platformWebhook || !REPORTED_ACTIONS.has(action.action)) return [];
    const u = await findHostUserStanding(q, userId);
    if (!u) return [];
    const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
    const body: PlatformWebhookBody = {
      id: newId(),
      type,
      createdAt: new Date().toISOString(),
      user: { id: userId, externalId: u.externalId },
      action,
      standing: { status: u.status, suspendedUntil: iso(u.suspendedUntil), restrictedUntil: iso(u.restrictedUntil) },
    };
    return [
      { name: JobName.NotifyPlatform, data: { body }, jobId: `notify-platform-${body.id}`, attempts: ATTEMPTS, backoffMs: BACKOFF_MS },
    ];
  }

  /** One delivery attempt; throws to be retried, PermanentDeliveryError when a retry cannot help. */
  async deliver(body: PlatformWebhookBody): Promise<{ status: number }> {
    const hook = this.config.platformWebhook;
    if (!hook) throw new PermanentDeliveryError('PLATFORM_WEBHOOK_URL is no longer set');
    let address: LookupAddress;
    try {
      address = await this.address(hook.url, hook.allowPrivate);
    } catch (err) {
      if (err instanceof SsrfRefusedError) throw new PermanentDeliveryError(`ssrf_refused: ${err.message}`);
      throw err;
    }
    const raw = JSON.stringify(body);
    const status = await post(hook.url, address, raw, {
      'content-type': 'application/json',
      'user-agent': 'Backchannel-Webhook/1',
      [SIGNATURE_HEADER]: signWebhook(hook.secret, raw),
      'X-Backchannel-Delivery': body.id,
      'X-Backchannel-Event': body.type,
    });
    if (status < 200 || status >= 300) throw new Error(`the receiver answered ${status}`);
    return { status };
  }

  private async address(url: string, allowPrivate: boolean): Promise<LookupAddress> {
    if (!allowPrivate) return (await resolveFetchableAddresses(url))[0];
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    if (isIPv4(host)) return { address: host, family: 4 };
    if (isIPv6(host)) return { address: host, family: 6 };
    return dns.lookup(host);
  }
}

function post(url: string, address: LookupAddress, raw: string, headers: Record<string, string>): Promise<number> {
  const target = new URL(url);
  const client = target.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(
      target,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(raw)) },
        timeout: TIMEOUT_MS,
        // Connect to the address that was checked, never to a fresh DNS answer.
        lookup: ((_host: string, opts: { all?: boolean }, cb: (...args: unknown[]) => void) =>
          opts?.all ? cb(null, [address]) : cb(null, address.address, address.family)) as unknown as http.RequestOptions['lookup'],
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end(raw);
  });
}

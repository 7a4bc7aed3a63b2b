import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config';
import type { LinkVerdict } from './link-rules';
import type { LinkSource } from './link-sources';

/** What an online reputation source (Safe Browsing, an internal service, ...) must implement. */
export interface LinkReputationProvider {
  name: string;
  /** null means "no opinion": the offline verdict stands. */
  check(url: string): Promise<{ verdict: LinkVerdict; reason: string | null } | null>;
}

/** Extra providers an operator (or a test) can add in code; LINK_PROVIDERS picks built-in ones. */
export const LINK_REPUTATION_PROVIDERS = Symbol('LINK_REPUTATION_PROVIDERS');

export interface ProviderOpinion {
  verdict: LinkVerdict;
  reason: string | null;
  provider: string;
}

const VERDICT_RANK: Record<LinkVerdict, number> = { safe: 0, suspicious: 1, malicious: 2 };

/** The worse of two verdicts: an online source can raise an offline verdict, never lower it. */
export function worseVerdict<T extends { verdict: LinkVerdict }>(a: T, b: T | null): T {
  return b && VERDICT_RANK[b.verdict] > VERDICT_RANK[a.verdict] ? b : a;
}

/**
 * URLhaus (abuse.ch): a lookup by URL. The request goes to the fixed URLhaus API host, never
 * to the URL being judged, so it opens no SSRF path; a fetcher of user URLs must use
 * ssrf-guard's resolveFetchableAddresses instead.
 */
export class UrlhausProvider implements LinkReputationProvider {
  readonly name = 'urlhaus';

  constructor(
    private readonly authKey: string,
    private readonly fetchImpl: typeof fetch = fetch,
    private readonly endpoint = 'https://urlhaus-api.abuse.ch/v1/url/',
  ) {}

  async check(url: string): Promise<{ verdict: LinkVerdict; reason: string | null } | null> {
    const res = await this.fetchImpl(this.endpoint, {
      method: 'POST',
      headers: { 'Auth-Key': this.authKey, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ url }).toString(),
      redirect: 'error',
      signal: AbortSignal.timeout(LinkReputationService.TIMEOUT_MS),
    });
    if (!res.ok) throw new Error(`urlhaus answered ${res.status}`);
    const body = (await res.json()) as { query_status?: string; url_status?: string; threat?: string };
    if (body.query_status !== 'ok') return null;
    // A URL URLhaus lists as still serving malware is malicious; one taken offline is only suspicious.
    const verdict: LinkVerdict = body.url_status === 'online' ? 'malicious' : 'suspicious';
    return { verdict, reason: `urlhaus_${(body.threat ?? 'listed').replace(/[^a-z0-9_]/gi, '_').toLowerCase()}` };
  }
}

/**
 * Online reputation sources, off unless configured (LINK_PROVIDERS). Each source is asked
 * with a timeout; a source that fails or times out has no opinion, so an outage never blocks
 * scanning: the offline verdict stands and the next scan after the cache expiry asks again.
 */
@Injectable()
export class LinkReputationService {
  static readonly TIMEOUT_MS = 3000;
  private readonly logger = new Logger(LinkReputationService.name);
  readonly providers: LinkReputationProvider[];

  constructor(@Inject(APP_CONFIG) config: AppConfig, @Inject(LINK_REPUTATION_PROVIDERS) extra: LinkReputationProvider[]) {
    this.providers = [
      ...config.linkProviders.map((name) => {
        switch (name) {
          case 'urlhaus':
            return new UrlhausProvider(config.urlhausAuthKey!);
        }
      }),
      ...extra,
    ];
  }

  get enabled(): boolean {
    return this.providers.length > 0;
  }

  /** The worst opinion of all providers, or null when none has one. */
  async opinion(url: string): Promise<ProviderOpinion | null> {
    return (await this.consult(url)).opinion;
  }

  /**
   * Every provider asked at once: the worst opinion (null when none has one) and the providers
   * that answered (`provider:<name>`, link-sources.ts), with an opinion or "not listed". One
   * that failed or timed out was not consulted.
   */
  async consult(url: string): Promise<{ opinion: ProviderOpinion | null; answered: LinkSource[] }> {
    const TIMED_OUT = Symbol('timed out');
    const answers = await Promise.all(
      this.providers.map(async (p): Promise<{ provider: string; opinion: ProviderOpinion | null } | null> => {
        let timer: NodeJS.Timeout | undefined;
        try {
          const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
            timer = setTimeout(() => resolve(TIMED_OUT), LinkReputationService.TIMEOUT_MS);
          });
          const answer = await Promise.race([p.check(url), timeout]);
          if (answer === TIMED_OUT) return null;
          return { provider: p.name, opinion: answer ? { ...answer, provider: p.name } : null };
        } catch (err) {
          this.logger.warn(`link provider ${p.name} failed (offline verdict stands): ${(err as Error).message}`);
          return null;
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    let worst: ProviderOpinion | null = null;
    const answered: LinkSource[] = [];
    for (const a of answers) {
      if (!a) continue;
      answered.push(`provider:${a.provider}`);
      if (a.opinion) worst = worst ? worseVerdict(worst, a.opinion) : a.opinion;
    }
    return { opinion: worst, answered };
  }
}

import { loadConfig } from '../config';
import { LinkReputationService, UrlhausProvider, worseVerdict } from './link-reputation.service';
import type { LinkReputationProvider } from './link-reputation.service';

const config = (env: Record<string, string> = {}) => loadConfig({ NODE_ENV: 'test', ...env });

function fakeFetch(body: unknown, status = 200) {
  const calls: Array<{ url: string; init: RequestInit }> = [];
  const impl = (async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  }) as unknown as typeof fetch;
  return { impl, calls };
}

describe('worseVerdict', () => {
  it('lets an online source raise an offline verdict but never lower it', () => {
    expect(worseVerdict({ verdict: 'safe' }, { verdict: 'malicious' }).verdict).toBe('malicious');
    expect(worseVerdict({ verdict: 'suspicious' }, { verdict: 'safe' }).verdict).toBe('suspicious');
    expect(worseVerdict({ verdict: 'safe' }, null).verdict).toBe('safe');
  });
});

describe('UrlhausProvider', () => {
  it('posts the URL to the fixed URLhaus endpoint with the auth key, never fetching the URL itself', async () => {
    const { impl, calls } = fakeFetch({ query_status: 'no_results' });
    const provider = new UrlhausProvider('key-1', impl);
    expect(await provider.check('http://169.254.169.254/latest/meta-data')).toBeNull();
    expect(calls).toHaveLength(1);
    expect(calls[0].url).toBe('https://urlhaus-api.abuse.ch/v1/url/');
    expect((calls[0].init.headers as Record<string, string>)['Auth-Key']).toBe('key-1');
    expect(String(calls[0].init.body)).toBe('url=http%3A%2F%2F169.254.169.254%2Flatest%2Fmeta-data');
    expect(calls[0].init.redirect).toBe('error');
  });

  it('calls a URL listed and online malicious, one taken offline suspicious', async () => {
    expect(
      await new UrlhausProvider('k', fakeFetch({ query_status: 'ok', url_status: 'online', threat: 'malware_download' }).impl).check(
        'http://x.example/',
      ),
    ).toEqual({
      verdict: 'malicious',
      reason: 'urlhaus_malware_download',
    });
    expect(
      (await new UrlhausProvider('k', fakeFetch({ query_status: 'ok', url_status: 'offline' }).impl).check('http://x.example/'))?.verdict,
    ).toBe('suspicious');
  });

  it('treats an error status as a failure, not as "clean"', async () => {
    await expect(new UrlhausProvider('k', fakeFetch({}, 503).impl).check('http://x.example/')).rejects.toThrow(/503/);
  });
});

describe('LinkReputationService', () => {
  it('is off by default', () => {
    expect(new LinkReputationService(config(), []).enabled).toBe(false);
  });

  it('LINK_PROVIDERS=urlhaus turns the URLhaus provider on (and requires its key)', () => {
    expect(
      new LinkReputationService(config({ LINK_PROVIDERS: 'urlhaus', URLHAUS_AUTH_KEY: 'k' }), []).providers.map((p) => p.name),
    ).toEqual(['urlhaus']);
    expect(() => config({ LINK_PROVIDERS: 'urlhaus' })).toThrow(/URLHAUS_AUTH_KEY/);
    expect(() => config({ LINK_PROVIDERS: 'nope' })).toThrow(/unknown provider "nope"/);
  });

  it('takes the worst opinion; a failing provider has none, and the scan goes on', async () => {
    const failing: LinkReputationProvider = { name: 'down', check: async () => Promise.reject(new Error('ECONNRESET')) };
    const mild: LinkReputationProvider = { name: 'mild', check: async () => ({ verdict: 'suspicious', reason: 'new_domain' }) };
    const harsh: LinkReputationProvider = { name: 'harsh', check: async () => ({ verdict: 'malicious', reason: 'phishing' }) };
    const quiet = (s: LinkReputationService): LinkReputationService => {
      (s as any).logger = { warn: () => undefined };
      return s;
    };
    const service = quiet(new LinkReputationService(config(), [failing, mild, harsh]));
    expect(await service.opinion('http://x.example/')).toEqual({ verdict: 'malicious', reason: 'phishing', provider: 'harsh' });
    expect(
      await quiet(new LinkReputationService(config(), [failing]))
        .opinion('http://x.example/')
        .catch(() => 'threw'),
    ).toBeNull();
  });

  it('gives up on a provider that does not answer in time', async () => {
    jest.useFakeTimers();
    try {
      const hanging: LinkReputationProvider = { name: 'slow', check: () => new Promise(() => undefined) };
      const pending = new LinkReputationService(config(), [hanging]).opinion('http://x.example/');
      jest.advanceTimersByTime(LinkReputationService.TIMEOUT_MS + 1);
      expect(await pending).toBeNull();
    } finally {
      jest.useRealTimers();
    }
  });
});

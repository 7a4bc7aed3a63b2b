/**
 * The lines the process writes itself, before Nest's logger exists and after it is gone
 * (start-up, where things are, the shutdown drain): JSON like the logger's, or one readable
 * line each when the log format is pretty (a terminal).
 */
export type LogFormat = 'pretty' | 'json';

const LABEL: Record<number, string> = { 30: 'INFO', 40: 'WARN', 50: 'ERROR' };

export function consoleLine(format: LogFormat, level: number, msg: string, extra: Record<string, unknown> = {}): void {
  if (format === 'pretty') {
    const time = new Date().toTimeString().slice(0, 8);
    process.stdout.write(`[${time}] ${LABEL[level] ?? level}: ${msg}\n`);
  } else {
    process.stdout.write(JSON.stringify({ level, time: Date.now(), pid: process.pid, msg, ...extra }) + '\n');
  }
}

/** Where everything is, one line each, for the address the API listens on. */
export function whereLines(host: string, port: number): Array<{ what: string; url: string }> {
  const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  const base = `http://${shown}:${port}`;
  return [
    { what: 'web app ', url: `${base}/` },
    { what: 'console ', url: `${base}/admin/` },
    { what: 'API docs', url: `${base}/docs` },
    { what: 'AsyncAPI', url: `${base}/asyncapi.json` },
  ];
}

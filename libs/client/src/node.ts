import { readFile, rename, writeFile } from 'node:fs/promises';
import type { ClientStorage } from './storage';

/**
 * `@backchannel/client/node`: what only Node.js can run, kept out of the browser entry
 * (`@backchannel/client`), so a browser bundle never meets node:fs.
 */

/**
 * One JSON file (Node only). Writes go to a temporary file that is renamed over the old one,
 * so a crash mid-write leaves the previous state, never half a file; writes are serialised.
 */
export class FileStorage implements ClientStorage {
  private data: Record<string, unknown> | null = null;
  private loading: Promise<Record<string, unknown>> | null = null;
  private writing: Promise<void> = Promise.resolve();

  constructor(readonly path: string) {}

  /** Reads the file once; concurrent first calls share the one read (else each would start from {}). */
  private load(): Promise<Record<string, unknown>> {
    this.loading ??= (async () => {
      try {
        this.data = JSON.parse(await readFile(this.path, 'utf8')) as Record<string, unknown>;
      } catch (err) {
        if ((err as NodeJS.ErrnoException)?.code !== 'ENOENT') throw err;
        this.data = {};
      }
      return this.data!;
    })().catch((err) => {
      this.loading = null; // a failed read is tried again next time
      throw err;
    });
    return this.loading;
  }

  async get<T>(key: string): Promise<T | undefined> {
    const data = await this.load();
    return data[key] === undefined ? undefined : (JSON.parse(JSON.stringify(data[key])) as T);
  }

  async set(key: string, value: unknown): Promise<void> {
    const data = await this.load();
    data[key] = JSON.parse(JSON.stringify(value));
    await this.flush();
  }

  async delete(key: string): Promise<void> {
    const data = await this.load();
    delete data[key];
    await this.flush();
  }

  private flush(): Promise<void> {
    const snapshot = JSON.stringify(this.data);
    this.writing = this.writing.then(async () => {
      const tmp = `${this.path}.${Math.random().toString(36).slice(2)}.tmp`;
      await writeFile(tmp, snapshot);
      await rename(tmp, this.path);
    });
    return this.writing;
  }
}

/**
 * Pluggable persistence for the session, the cursor and the outbox. Values are JSON-able;
 * every method may be async so a file or IndexedDB store fits the same shape.
 */
export interface ClientStorage {
  get<T = unknown>(key: string): Promise<T | undefined> | T | undefined;
  set(key: string, value: unknown): Promise<void> | void;
  delete(key: string): Promise<void> | void;
}

/** Lives as long as the process (tests, or a client that resumes from nothing). */
export class MemoryStorage implements ClientStorage {
  private readonly map = new Map<string, string>();
  get<T>(key: string): T | undefined {
    const v = this.map.get(key);
    return v === undefined ? undefined : (JSON.parse(v) as T);
  }
  set(key: string, value: unknown): void {
    this.map.set(key, JSON.stringify(value));
  }
  delete(key: string): void {
    this.map.delete(key);
  }
}

/** window.localStorage (or any Web Storage), keys under a prefix so several accounts can share it. */
export class LocalStorageStorage implements ClientStorage {
  constructor(
    private readonly prefix = 'backchannel:',
    private readonly store: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> = globalThis.localStorage,
  ) {}
  get<T>(key: string): T | undefined {
    const v = this.store.getItem(this.prefix + key);
    return v === null ? undefined : (JSON.parse(v) as T);
  }
  set(key: string, value: unknown): void {
    this.store.setItem(this.prefix + key, JSON.stringify(value));
  }
  delete(key: string): void {
    this.store.removeItem(this.prefix + key);
  }
}

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
      // Imported lazily so a browser bundle that never uses FileStorage does not need node:fs.
      const fs = await import('node:fs/promises');
      try {
        this.data = JSON.parse(await fs.readFile(this.path, 'utf8')) as Record<string, unknown>;
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
      const fs = await import('node:fs/promises');
      const tmp = `${this.path}.${Math.random().toString(36).slice(2)}.tmp`;
      await fs.writeFile(tmp, snapshot);
      await fs.rename(tmp, this.path);
    });
    return this.writing;
  }
}

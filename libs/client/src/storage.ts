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

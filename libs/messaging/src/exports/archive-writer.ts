/**
 * Writes an archive as a sequence of chunks of about `chunkBytes` each, handing each full
 * chunk to `flush` as soon as it fills: an export of any size holds one chunk in memory.
 */
export class ArchiveWriter {
  private pieces: Buffer[] = [];
  private pending = 0;
  private chunks = 0;
  private total = 0;

  constructor(
    private readonly flush: (n: number, bytes: Buffer) => Promise<void>,
    private readonly chunkBytes: number,
  ) {}

  async write(text: string): Promise<void> {
    const bytes = Buffer.from(text, 'utf8');
    this.pieces.push(bytes);
    this.pending += bytes.length;
    this.total += bytes.length;
    if (this.pending >= this.chunkBytes) await this.drain();
  }

  /** Flushes what is left; the archive's size in bytes. */
  async end(): Promise<number> {
    if (this.pending > 0) await this.drain();
    return this.total;
  }

  private async drain(): Promise<void> {
    const bytes = Buffer.concat(this.pieces, this.pending);
    this.pieces = [];
    this.pending = 0;
    await this.flush(this.chunks++, bytes);
  }
}

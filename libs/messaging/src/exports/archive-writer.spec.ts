import { ArchiveWriter } from './archive-writer';

describe('ArchiveWriter', () => {
  it('hands over a chunk as soon as it fills and the rest at the end; the chunks join into the whole text', async () => {
    const chunks: Array<[number, string]> = [];
    const w = new ArchiveWriter(async (n, bytes) => void chunks.push([n, bytes.toString('utf8')]), 8);
    await w.write('{"a":');
    expect(chunks).toEqual([]);
    await w.write('"héllo",');
    expect(chunks).toEqual([[0, '{"a":"héllo",']]);
    await w.write('"b":1}');
    expect(await w.end()).toBe(Buffer.byteLength('{"a":"héllo","b":1}'));
    expect(chunks.map(([n]) => n)).toEqual([0, 1]);
    expect(chunks.map(([, s]) => s).join('')).toBe('{"a":"héllo","b":1}');
  });

  it('an empty archive writes no chunk', async () => {
    const flush = jest.fn();
    expect(await new ArchiveWriter(flush, 8).end()).toBe(0);
    expect(flush).not.toHaveBeenCalled();
  });
});

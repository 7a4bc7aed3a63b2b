import { diffSnapshots, sectionShape, tabulate } from './tabulate';

describe('tabulate', () => {
    it('prefers meaningful columns and skips ids and nested objects', () => {
        const table = tabulate([
            { id: '1', reason: 'spam', createdAt: 't1', status: 'open', extra: { a: 1 }, foo: 'bar' },
            { id: '2', reason: 'hate', createdAt: 't2', status: 'resolved', foo: null },
        ]);
        expect(table.columns).toEqual(['createdAt', 'reason', 'status', 'foo']);
        expect(table.rows).toHaveLength(2);
    });

    it('caps columns and tolerates junk', () => {
        expect(tabulate([{ a: 1, b: 2, c: 3 }], 2).columns).toEqual(['a', 'b']);
        expect(tabulate('nope')).toEqual({ columns: [], rows: [] });
        expect(tabulate([1, null, { id: 'x' }])).toEqual({ columns: ['id'], rows: [{ id: 'x' }] });
    });

    it('classifies section shapes', () => {
        expect(sectionShape([{ a: 1 }])).toBe('table');
        expect(sectionShape([])).toBe('empty');
        expect(sectionShape({ score: 3 })).toBe('record');
        expect(sectionShape({})).toBe('empty');
        expect(sectionShape(4)).toBe('scalar');
        expect(sectionShape(null)).toBe('empty');
    });
});

describe('diffSnapshots', () => {
    it('lists added, removed and changed fields', () => {
        expect(diffSnapshots({ status: 'open', a: 1, tags: [1] }, { status: 'resolved', b: 2, tags: [1] })).toEqual([
            { field: 'status', before: 'open', after: 'resolved', kind: 'changed' },
            { field: 'a', before: 1, after: undefined, kind: 'removed' },
            { field: 'b', before: undefined, after: 2, kind: 'added' },
        ]);
    });

    it('handles null snapshots and can include unchanged fields', () => {
        expect(diffSnapshots(null, { a: 1 })).toEqual([{ field: 'a', before: undefined, after: 1, kind: 'added' }]);
        expect(diffSnapshots({ a: 1 }, { a: 1 }, true)).toEqual([{ field: 'a', before: 1, after: 1, kind: 'same' }]);
    });
});

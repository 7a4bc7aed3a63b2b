import { formatPrecision } from './precision';

describe('formatPrecision', () => {
    it('says when nothing was decided yet, else the share upheld with its counts', () => {
        expect(formatPrecision({ reports: 2, upheld: 0, dismissed: 0, precision: null })).toEqual({
            label: 'no decided reports',
            color: 'default',
        });
        expect(formatPrecision({ reports: 4, upheld: 2, dismissed: 1, precision: 2 / 3 })).toEqual({
            label: '67% upheld (2/3)',
            color: 'success',
        });
        expect(formatPrecision({ reports: 3, upheld: 1, dismissed: 2, precision: 1 / 3 }).color).toBe('warning');
        expect(formatPrecision({ reports: 9, upheld: 1, dismissed: 8, precision: 1 / 9 })).toEqual({
            label: '11% upheld (1/9)',
            color: 'error',
        });
    });
});

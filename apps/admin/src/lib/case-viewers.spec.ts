import { applyViewers, emptyViewers, othersViewing } from './case-viewers';

const CASE = '0190f5a2-7c1e-7b3a-9c4d-2e5f6a7b8c91';
const alice = { staffId: 'a', displayName: 'Alice' };
const bob = { staffId: 'b', displayName: 'Bob' };
const carol = { staffId: 'c', displayName: 'Carol' };

describe('case viewers', () => {
    it('keeps the newest list: an older one arriving late (from another API process) is ignored', () => {
        let s = applyViewers(emptyViewers(CASE), { caseId: CASE, version: 3, viewers: [alice, bob] });
        s = applyViewers(s, { caseId: CASE, version: 2, viewers: [alice] });
        expect(s.viewers).toEqual([alice, bob]);
        s = applyViewers(s, { caseId: CASE, version: 4, viewers: [alice] });
        expect(s.viewers).toEqual([alice]);
    });
    it('ignores lists of other cases and errors', () => {
        const s = emptyViewers(CASE);
        expect(applyViewers(s, { caseId: 'other', version: 9, viewers: [bob] })).toBe(s);
        expect(applyViewers(s, { error: { code: 'not_found' } })).toBe(s);
    });
    it('names the others, never me', () => {
        const s = applyViewers(emptyViewers(CASE), { caseId: CASE, version: 1, viewers: [alice, bob, carol] });
        expect(othersViewing(s, 'a')).toBe('Bob and Carol');
        expect(othersViewing(s, 'x')).toBe('Alice, Bob and Carol');
        expect(othersViewing(applyViewers(emptyViewers(CASE), { caseId: CASE, version: 1, viewers: [alice] }), 'a')).toBe('');
    });
});

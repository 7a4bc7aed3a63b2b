import { adjacentId, isTypingTarget, moveCursor, shortcutFor } from './shortcuts';

describe('keyboard shortcuts', () => {
    const body = { tagName: 'BODY' };

    it('maps keys to commands', () => {
        expect(shortcutFor({ key: 'j', target: body })).toBe('next');
        expect(shortcutFor({ key: 'k', target: body })).toBe('previous');
        expect(shortcutFor({ key: 'c', target: body })).toBe('claim');
        expect(shortcutFor({ key: 'd', target: body })).toBe('dismiss');
        expect(shortcutFor({ key: 'r', target: body })).toBe('resolve');
        expect(shortcutFor({ key: 'x', target: body })).toBeNull();
        expect(shortcutFor({ key: 'J', target: body })).toBeNull();
    });

    it('ignores keys typed into form fields', () => {
        expect(shortcutFor({ key: 'd', target: { tagName: 'INPUT', type: 'text' } })).toBeNull();
        expect(shortcutFor({ key: 'd', target: { tagName: 'input' } })).toBeNull();
        expect(shortcutFor({ key: 'd', target: { tagName: 'TEXTAREA' } })).toBeNull();
        expect(shortcutFor({ key: 'd', target: { tagName: 'SELECT' } })).toBeNull();
        expect(shortcutFor({ key: 'd', target: { tagName: 'DIV', isContentEditable: true } })).toBeNull();
        // a focused checkbox (row selection) is not typing
        expect(shortcutFor({ key: 'j', target: { tagName: 'INPUT', type: 'checkbox' } })).toBe('next');
    });

    it('ignores modified, repeated and handled keys', () => {
        expect(shortcutFor({ key: 'r', metaKey: true, target: body })).toBeNull();
        expect(shortcutFor({ key: 'r', ctrlKey: true, target: body })).toBeNull();
        expect(shortcutFor({ key: 'r', altKey: true, target: body })).toBeNull();
        expect(shortcutFor({ key: 'j', repeat: true, target: body })).toBeNull();
        expect(shortcutFor({ key: 'j', defaultPrevented: true, target: body })).toBeNull();
        expect(shortcutFor({ key: 'j', target: null })).toBe('next');
    });

    it('detects typing targets', () => {
        expect(isTypingTarget(undefined)).toBe(false);
        expect(isTypingTarget({ tagName: 'BUTTON' })).toBe(false);
        expect(isTypingTarget({ tagName: 'INPUT', type: 'number' })).toBe(true);
        expect(isTypingTarget({ tagName: 'INPUT', type: 'radio' })).toBe(false);
    });

    it('finds the adjacent report', () => {
        expect(adjacentId(['a', 'b', 'c'], 'a')).toBe('b');
        expect(adjacentId(['a', 'b', 'c'], 'c')).toBeNull();
        expect(adjacentId(['a', 'b', 'c'], 'b', -1)).toBe('a');
        expect(adjacentId(['a', 'b', 'c'], 'a', -1)).toBeNull();
        expect(adjacentId(['a', 'b'], 'zz')).toBe('a');
        expect(adjacentId([1, 2], '1')).toBe(2);
        expect(adjacentId(['a'], 'a')).toBeNull();
        expect(adjacentId([], 'a')).toBeNull();
        expect(adjacentId(['a', 'b'], null)).toBe('a');
    });

    it('moves the list cursor', () => {
        expect(moveCursor(-1, 3, 1)).toBe(0);
        expect(moveCursor(-1, 3, -1)).toBe(2);
        expect(moveCursor(0, 3, 1)).toBe(1);
        expect(moveCursor(2, 3, 1)).toBe(2);
        expect(moveCursor(0, 3, -1)).toBe(0);
        expect(moveCursor(5, 3, 1)).toBe(0);
        expect(moveCursor(0, 0, 1)).toBe(-1);
    });
});

import { ACCESS, atLeast, can, isRole } from './roles';

describe('roles', () => {
    it('recognises the three roles only', () => {
        expect(isRole('admin')).toBe(true);
        expect(isRole('moderator')).toBe(true);
        expect(isRole('triage')).toBe(true);
        expect(isRole('root')).toBe(false);
        expect(isRole(undefined)).toBe(false);
    });

    it('nests admin ⊃ moderator ⊃ triage', () => {
        expect(atLeast('admin', 'moderator')).toBe(true);
        expect(atLeast('admin', 'triage')).toBe(true);
        expect(atLeast('moderator', 'triage')).toBe(true);
        expect(atLeast('moderator', 'admin')).toBe(false);
        expect(atLeast('triage', 'moderator')).toBe(false);
        expect(atLeast(null, 'triage')).toBe(false);
    });

    it('lets triage read, label and escalate only', () => {
        expect(can('triage', 'reports', 'list')).toBe(true);
        expect(can('triage', 'reports', 'show')).toBe(true);
        expect(can('triage', 'reports', 'escalate')).toBe(true);
        expect(can('triage', 'links', 'label')).toBe(true);
        expect(can('triage', 'reports', 'claim')).toBe(false);
        expect(can('triage', 'reports', 'resolve')).toBe(false);
        expect(can('triage', 'reports', 'bulkResolve')).toBe(false);
        expect(can('triage', 'users', 'userAction')).toBe(false);
        expect(can('triage', 'appeals', 'decide')).toBe(false);
        expect(can('triage', 'blocklist', 'create')).toBe(false);
        expect(can('triage', 'blocklist', 'delete')).toBe(false);
    });

    it('lets moderators act but not manage staff', () => {
        expect(can('moderator', 'reports', 'claim')).toBe(true);
        expect(can('moderator', 'reports', 'resolve')).toBe(true);
        expect(can('moderator', 'blocklist', 'create')).toBe(true);
        expect(can('moderator', 'appeals', 'decide')).toBe(true);
        expect(can('moderator', 'staff', 'list')).toBe(false);
    });

    it('shows the staff resource to admins only', () => {
        expect(can('admin', 'staff', 'list')).toBe(true);
        expect(can('admin', 'staff', 'create')).toBe(true);
        expect(can('admin', 'staff', 'edit')).toBe(true);
        expect(can('moderator', 'staff', 'list')).toBe(false);
        expect(can('triage', 'staff', 'list')).toBe(false);
    });

    it('denies unknown resources, actions and read-only writes', () => {
        expect(can('admin', 'nope', 'list')).toBe(false);
        expect(can('admin', 'reports', 'delete')).toBe(false);
        expect(can('admin', 'actions', 'edit')).toBe(false);
        expect(can('admin', 'audit-log', 'delete')).toBe(false);
    });

    it('lets every role list every resource except staff and the transparency report (admins only)', () => {
        for (const resource of Object.keys(ACCESS)) {
            expect(can('triage', resource, 'list')).toBe(resource !== 'staff' && resource !== 'transparency');
        }
        expect(can('moderator', 'transparency', 'list')).toBe(false);
        expect(can('admin', 'transparency', 'list')).toBe(true);
        expect(can('moderator', 'templates', 'edit')).toBe(false);
        expect(can('moderator', 'cases', 'resolve')).toBe(true);
        expect(can('triage', 'cases', 'resolve')).toBe(false);
    });
});

import { Alert } from '@mui/material';
import { useEffect, useState } from 'react';
import { applyViewers, emptyViewers, othersViewing, type CaseViewersState } from '../lib/case-viewers';
import { session } from '../providers/session';
import { staffSocket } from '../providers/staffSocket';

/**
 * "Also viewing: …" on a case page: says over the staff socket that this console has the case
 * open, and shows the other staff who have it open now, live (so two moderators do not work
 * the same case without knowing). Nothing is shown while no one else views it.
 */
export const CaseViewers = ({ caseId }: { caseId: string }) => {
    const [state, setState] = useState<CaseViewersState>(() => emptyViewers(caseId));
    useEffect(() => {
        const socket = staffSocket();
        let live = true;
        const onViewers = (update: unknown) => setState(s => applyViewers(s, update));
        // On every (re)connection: a new socket is a new viewer; its answer is the list as of now.
        // (Versions are per case in Redis; after a long disconnection they may have started again.)
        const join = () => {
            setState(emptyViewers(caseId));
            socket.timeout(10_000).emit('case.viewing', { caseId, viewing: true }, (err: unknown, answer: unknown) => {
                if (live && !err) setState(s => applyViewers(s, answer));
            });
        };
        socket.on('case.viewers', onViewers);
        socket.on('connect', join);
        if (socket.connected) join();
        return () => {
            live = false;
            socket.off('case.viewers', onViewers);
            socket.off('connect', join);
            if (socket.connected) socket.emit('case.viewing', { caseId, viewing: false });
        };
    }, [caseId]);
    const others = othersViewing(state, session.staff()?.id);
    return (
        <div role="status" aria-live="polite">
            {others && (
                <Alert severity="warning" sx={{ mb: 2 }} data-testid="case-also-viewing">
                    Also viewing: {others}
                </Alert>
            )}
        </div>
    );
};

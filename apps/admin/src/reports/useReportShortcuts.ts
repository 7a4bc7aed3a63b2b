import { useEffect, useRef } from 'react';
import { shortcutFor, type ShortcutCommand } from '../lib/shortcuts';

export type ShortcutHandlers = Partial<Record<ShortcutCommand, (() => void) | undefined>>;

/** True while a dialog, menu or popover is open (shortcuts are paused). */
const modalOpen = () => !!document.querySelector('.MuiModal-root:not(.MuiModal-hidden)');

/**
 * j/k/c/d/r on the report list and show pages (see lib/shortcuts.ts).
 * Ignored while typing in a field or with a dialog open.
 */
export function useReportShortcuts(handlers: ShortcutHandlers, enabled = true) {
    const ref = useRef(handlers);
    ref.current = handlers;
    useEffect(() => {
        if (!enabled) return;
        const onKeyDown = (event: KeyboardEvent) => {
            const target = event.target instanceof HTMLElement ? event.target : null;
            const command = shortcutFor({
                key: event.key,
                ctrlKey: event.ctrlKey,
                metaKey: event.metaKey,
                altKey: event.altKey,
                repeat: event.repeat,
                defaultPrevented: event.defaultPrevented,
                target: target
                    ? { tagName: target.tagName, isContentEditable: target.isContentEditable, type: (target as HTMLInputElement).type }
                    : null,
            });
            if (!command || modalOpen()) return;
            const handler = ref.current[command];
            if (!handler) return;
            event.preventDefault();
            handler();
        };
        window.addEventListener('keydown', onKeyDown);
        return () => window.removeEventListener('keydown', onKeyDown);
    }, [enabled]);
}

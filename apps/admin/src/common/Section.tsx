import { Card, CardContent, CardHeader } from '@mui/material';
import type { ReactNode } from 'react';

export const Section = ({
    title,
    action,
    children,
    testId,
}: {
    title: ReactNode;
    action?: ReactNode;
    children: ReactNode;
    testId?: string;
}) => (
    <Card variant="outlined" data-testid={testId} sx={{ mb: 2 }}>
        <CardHeader title={title} action={action} slotProps={{ title: { variant: 'subtitle1', sx: { fontWeight: 600 } } }} sx={{ pb: 0 }} />
        <CardContent>{children}</CardContent>
    </Card>
);

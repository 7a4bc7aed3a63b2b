import { Alert, Box, Button, CardContent, CircularProgress, TextField, Typography } from '@mui/material';
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Login, useLogin } from 'react-admin';
import { errorMessage } from '../lib/errors';

/**
 * Staff sign-in: inputs name="email" / name="password", submit button
 * data-testid="login-submit". Calls authProvider.login({email, password}).
 */
const LoginForm = () => {
    const login = useLogin();
    // react-admin's own query client (react-admin depends on @tanstack/react-query).
    const queryClient = useQueryClient();
    const [email, setEmail] = useState('');
    const [password, setPassword] = useState('');
    const [loading, setLoading] = useState(false);
    const [error, setError] = useState<string | null>(null);

    const submit = async (event: FormEvent) => {
        event.preventDefault();
        setLoading(true);
        setError(null);
        try {
            // Drop whatever a previous session cached (canAccess answers, records)
            // in case it ended without a logout, e.g. its token was removed.
            queryClient.clear();
            await login({ email: email.trim(), password });
        } catch (e) {
            const message = errorMessage(e);
            setError(message);
        } finally {
            setLoading(false);
        }
    };

    return (
        <Box component="form" onSubmit={submit} noValidate data-testid="login-form">
            <CardContent sx={{ width: 320, display: 'flex', flexDirection: 'column', gap: 2 }}>
                <Typography variant="h6" sx={{ textAlign: 'center' }}>
                    Backchannel Trust &amp; Safety
                </Typography>
                <TextField
                    name="email"
                    label="Email"
                    type="email"
                    autoComplete="username"
                    autoFocus
                    required
                    value={email}
                    onChange={event => setEmail(event.target.value)}
                    disabled={loading}
                    fullWidth
                />
                <TextField
                    name="password"
                    label="Password"
                    type="password"
                    autoComplete="current-password"
                    required
                    value={password}
                    onChange={event => setPassword(event.target.value)}
                    disabled={loading}
                    fullWidth
                />
                {error && (
                    <Alert severity="error" data-testid="login-error">
                        {error}
                    </Alert>
                )}
                <Button type="submit" variant="contained" disabled={loading || !email || !password} fullWidth data-testid="login-submit">
                    {loading ? <CircularProgress size={22} color="inherit" /> : 'Sign in'}
                </Button>
            </CardContent>
        </Box>
    );
};

export const LoginPage = () => (
    <Login>
        <LoginForm />
    </Login>
);

import { Route } from 'react-router-dom';
import { Admin, CustomRoutes, Resource } from 'react-admin';
import actions from './actions';
import appeals from './appeals';
import auditLog from './audit-log';
import blocklist from './blocklist';
import cases from './cases';
import { ConsoleLayout } from './common/ConsoleLayout';
import { Dashboard } from './dashboard/Dashboard';
import heldMessages from './held-messages';
import links from './links';
import policies from './policies';
import { LoginPage } from './login/LoginPage';
import { authProvider } from './providers/authProvider';
import { dataProvider } from './providers/dataProvider';
import reports from './reports';
import rules from './rules';
import spamRequests from './spam-requests';
import staff from './staff';
import templates from './templates';
import { TransparencyPage } from './transparency';
import users from './users';

/**
 * Backchannel's trust-and-safety console. Which resources a staff member sees
 * is decided by authProvider.canAccess (staff: admins only).
 */
export const App = () => (
    <Admin
        title="Backchannel T&S"
        dataProvider={dataProvider}
        authProvider={authProvider}
        loginPage={LoginPage}
        dashboard={Dashboard}
        layout={ConsoleLayout}
        requireAuth
        disableTelemetry
    >
        <Resource name="cases" options={{ label: 'Case queue' }} {...cases} />
        <Resource name="reports" options={{ label: 'Reports' }} {...reports} />
        <Resource name="spam-requests" options={{ label: 'Spam requests' }} {...spamRequests} />
        <Resource name="users" options={{ label: 'Users' }} {...users} />
        <Resource name="links" options={{ label: 'Links' }} {...links} />
        <Resource name="blocklist" options={{ label: 'Blocklist' }} {...blocklist} />
        <Resource name="rules" options={{ label: 'Rules' }} {...rules} />
        <Resource name="held-messages" options={{ label: 'Held messages' }} {...heldMessages} />
        <Resource name="rule-hits" />
        <Resource name="actions" options={{ label: 'Actions' }} {...actions} />
        <Resource name="appeals" options={{ label: 'Appeals' }} {...appeals} />
        <Resource name="audit-log" options={{ label: 'Audit log' }} {...auditLog} />
        <Resource name="templates" options={{ label: 'Templates' }} {...templates} />
        <Resource name="policies" options={{ label: 'Policies' }} {...policies} />
        <Resource name="staff" options={{ label: 'Staff' }} {...staff} />
        <CustomRoutes>
            <Route path="/transparency" element={<TransparencyPage />} />
        </CustomRoutes>
    </Admin>
);

export default App;

import AssessmentIcon from '@mui/icons-material/Assessment';
import { Layout, Menu, type LayoutProps } from 'react-admin';
import { useCan } from './useApi';

/** The resources, plus the transparency page for admins (a custom route, not a resource). */
const ConsoleMenu = () => {
    const canSeeTransparency = useCan('transparency', 'list');
    return (
        <Menu>
            <Menu.DashboardItem />
            <Menu.ResourceItems />
            {canSeeTransparency && (
                <Menu.Item to="/transparency" primaryText="Transparency" leftIcon={<AssessmentIcon />} data-testid="menu-transparency" />
            )}
        </Menu>
    );
};

export const ConsoleLayout = (props: LayoutProps) => <Layout {...props} menu={ConsoleMenu} />;

import StaffIcon from '@mui/icons-material/ManageAccounts';
import { StaffCreate, StaffEdit, StaffShow } from './StaffForms';
import { StaffList } from './StaffList';

export default {
    list: StaffList,
    show: StaffShow,
    edit: StaffEdit,
    create: StaffCreate,
    icon: StaffIcon,
    recordRepresentation: 'email',
};

import CaseIcon from '@mui/icons-material/Inbox';
import { CaseList } from './CaseList';
import { CaseShow } from './CaseShow';

export default {
    list: CaseList,
    show: CaseShow,
    icon: CaseIcon,
};

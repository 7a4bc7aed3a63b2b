import SpamIcon from '@mui/icons-material/MarkEmailUnread';
import { SpamRequestList } from './SpamRequestList';
import { SpamRequestShow } from './SpamRequestShow';

export default {
    list: SpamRequestList,
    show: SpamRequestShow,
    icon: SpamIcon,
};

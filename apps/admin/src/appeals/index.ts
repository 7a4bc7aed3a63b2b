import AppealIcon from '@mui/icons-material/RecordVoiceOver';
import { AppealList } from './AppealList';
import { AppealShow } from './AppealShow';

export default {
    list: AppealList,
    show: AppealShow,
    icon: AppealIcon,
};

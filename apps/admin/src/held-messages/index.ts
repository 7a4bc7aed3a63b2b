import PauseCircleIcon from '@mui/icons-material/PauseCircle';
import { HeldMessageList } from './HeldMessageList';

export default {
    list: HeldMessageList,
    icon: PauseCircleIcon,
};

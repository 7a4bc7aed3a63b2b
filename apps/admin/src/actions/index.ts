import GavelIcon from '@mui/icons-material/Gavel';
import { ActionList } from './ActionList';
import { ActionShow } from './ActionShow';

export default {
    list: ActionList,
    show: ActionShow,
    icon: GavelIcon,
};

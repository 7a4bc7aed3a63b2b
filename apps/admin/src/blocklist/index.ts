import BlockIcon from '@mui/icons-material/Block';
import { BlocklistCreate } from './BlocklistCreate';
import { BlocklistList } from './BlocklistList';
import { BlocklistShow } from './BlocklistShow';

export default {
    list: BlocklistList,
    show: BlocklistShow,
    create: BlocklistCreate,
    icon: BlockIcon,
    recordRepresentation: 'pattern',
};

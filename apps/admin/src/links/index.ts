import LinkIcon from '@mui/icons-material/Link';
import { LinkList } from './LinkList';
import { LinkShow } from './LinkShow';

export default {
    list: LinkList,
    show: LinkShow,
    icon: LinkIcon,
    recordRepresentation: 'url',
};

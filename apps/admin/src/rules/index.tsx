import RuleIcon from '@mui/icons-material/Rule';
import { Create, Edit } from 'react-admin';
import { RuleForm } from './RuleForm';
import { RuleList } from './RuleList';

export const RuleCreate = () => (
    <Create redirect="list" title="New rule">
        <RuleForm />
    </Create>
);

export const RuleEdit = () => (
    <Edit mutationMode="pessimistic" redirect="list">
        <RuleForm />
    </Edit>
);

export default {
    list: RuleList,
    create: RuleCreate,
    edit: RuleEdit,
    icon: RuleIcon,
    recordRepresentation: 'name',
};

import { Create, FormDataConsumer, required, SelectInput, SimpleForm, TextInput } from 'react-admin';
import { choicesOf } from '../lib/format';
import { BLOCKLIST_KINDS, type BlocklistEntry } from '@backchannel/client/admin';

/** The form's values: an entry being written. */
type Draft = Partial<Pick<BlocklistEntry, 'pattern' | 'kind' | 'reason'>>;
import { BlocklistMatches } from './BlocklistMatches';
import { BlocklistPreview } from './BlocklistPreview';

export const BlocklistCreate = () => (
    <Create redirect="list" title="Block a domain or URL">
        <SimpleForm defaultValues={{ kind: 'domain' }}>
            <SelectInput source="kind" choices={choicesOf(BLOCKLIST_KINDS)} validate={required()} />
            <TextInput
                source="pattern"
                validate={required()}
                fullWidth
                helperText="Domain (evil.example, or paste a link: only its host is kept) or URL prefix (https://host/path)"
            />
            <TextInput source="reason" validate={required()} fullWidth multiline />
            <FormDataConsumer<Draft>>
                {({ formData }) => <BlocklistMatches pattern={formData.pattern} kind={formData.kind} />}
            </FormDataConsumer>
            <FormDataConsumer<Draft>>
                {({ formData }) => <BlocklistPreview pattern={formData.pattern} kind={formData.kind} />}
            </FormDataConsumer>
        </SimpleForm>
    </Create>
);

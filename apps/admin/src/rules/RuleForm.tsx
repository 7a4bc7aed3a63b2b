import { BooleanInput, CheckboxGroupInput, FormDataConsumer, required, SelectInput, SimpleForm, TextInput, useGetList } from 'react-admin';
import { choicesOf } from '../lib/format';
import { RULE_ACTIONS, RULE_KINDS, RULE_MODES, RULE_SCOPES, type Policy, type Rule } from '@backchannel/client/admin';

/** The form's values: a rule being written (react-admin starts from defaultValues). */
type RuleDraft = Partial<Rule>;
import { RuleTester } from './RuleTester';

/** Patterns and exempt handles are edited one per line. */
const lines = {
    format: (v: unknown) => (Array.isArray(v) ? v.join('\n') : (v ?? '')),
    parse: (v: string) =>
        v
            .split('\n')
            .map(s => s.trim())
            .filter(Boolean),
};

const PATTERN_HELP: Record<Rule['kind'], string> = {
    keyword: 'One per line. Whole words, ignoring case, accents, look-alikes and leetspeak; * at either end widens (scam*, *coin).',
    regex: 'One per line. RE2 syntax (linear time): no backreferences or lookaround. Case-insensitive, over folded text.',
    domain: 'One per line. Matches the host and its subdomains in any link (example.com also catches a.example.com).',
};

/** The policy and severity the rule's decisions name (v1.2; the server defaults to `other`). */
const RulePolicyInputs = () => {
    const policies = useGetList<Policy>('policies', { pagination: { page: 1, perPage: 100 }, sort: { field: 'key', order: 'ASC' } });
    const list = policies.data ?? [];
    return (
        <FormDataConsumer<RuleDraft>>
            {({ formData }) => (
                <>
                    <SelectInput
                        source="policy"
                        choices={list.map(p => ({ id: p.key, name: `${p.title} (${p.key})` }))}
                        isLoading={policies.isPending}
                        helperText="The policy a held message's rejection or a flag's report falls under"
                    />
                    <SelectInput
                        source="severity"
                        choices={(list.find(p => p.key === formData.policy)?.severities ?? []).map(s => ({ id: s.key, name: s.key }))}
                        helperText="Left empty: the policy's first"
                    />
                </>
            )}
        </FormDataConsumer>
    );
};

export const RuleForm = () => (
    <SimpleForm
        defaultValues={{
            enabled: true,
            mode: 'dry_run',
            kind: 'keyword',
            action: 'hold',
            appliesTo: ['requests'],
            exemptHandles: [],
            policy: 'other',
        }}
    >
        <TextInput source="name" validate={required()} fullWidth />
        <BooleanInput source="enabled" />
        <SelectInput
            source="mode"
            choices={choicesOf(RULE_MODES)}
            validate={required()}
            helperText="Dry run records hits and changes nothing"
        />
        <SelectInput source="kind" choices={choicesOf(RULE_KINDS)} validate={required()} />
        <FormDataConsumer<RuleDraft>>
            {({ formData }) => (
                <TextInput
                    source="patterns"
                    multiline
                    minRows={3}
                    fullWidth
                    validate={required()}
                    {...lines}
                    helperText={(formData.kind && PATTERN_HELP[formData.kind]) ?? ''}
                />
            )}
        </FormDataConsumer>
        <CheckboxGroupInput source="appliesTo" label="Applies to" choices={choicesOf(RULE_SCOPES)} validate={required()} />
        <SelectInput
            source="action"
            choices={choicesOf(RULE_ACTIONS)}
            validate={required()}
            helperText="block refuses; hold waits for staff; hide sends a request to the hidden folder; flag delivers and opens a report"
        />
        <TextInput source="reason" fullWidth multiline helperText="Shown to the sender when the rule blocks" />
        <RulePolicyInputs />
        <TextInput
            source="exemptHandles"
            label="Exempt users (handles)"
            multiline
            fullWidth
            {...lines}
            helperText="One handle per line (@ optional): accounts this rule never applies to. A handle nobody has is refused when you save."
        />
        <FormDataConsumer<RuleDraft>>{({ formData }) => <RuleTester kind={formData.kind} patterns={formData.patterns} />}</FormDataConsumer>
    </SimpleForm>
);

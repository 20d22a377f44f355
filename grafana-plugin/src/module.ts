import {
  FieldConfigProperty,
  PanelPlugin,
  type SelectFieldConfigSettings,
  ThresholdsMode,
} from '@grafana/data';

import { FunnelPanel } from './components/FunnelPanel';
import { defaultOptions, type FunnelOptions, type PercentKind } from './types';

const STAGES = 'Stages';
const QUERIES = 'Queries';

/**
 * Of the standard field options only thresholds (on drop-off) and data links mean something
 * for a funnel; the rest (unit, min/max, mappings, ...) would be shown and then ignored.
 */
const UNUSED_STANDARD_OPTIONS = Object.values(FieldConfigProperty).filter(
  (p) => p !== FieldConfigProperty.Thresholds && p !== FieldConfigProperty.Links,
);

export const plugin = new PanelPlugin<FunnelOptions>(FunnelPanel)
  .useFieldConfig({
    disableStandardOptions: UNUSED_STANDARD_OPTIONS,
    standardOptions: {
      [FieldConfigProperty.Thresholds]: {
        // Drop-off in percent: document 000's volume filter drops ~93 % on an ordinary run.
        defaultValue: {
          mode: ThresholdsMode.Absolute,
          steps: [
            { value: -Infinity, color: 'green' },
            { value: 95, color: 'orange' },
            { value: 99.5, color: 'red' },
          ],
        },
      },
    },
  })
  .setPanelOptions((builder) =>
    builder
      .addRadio({
        path: 'layout',
        name: 'Layout',
        category: [STAGES],
        defaultValue: defaultOptions.layout,
        settings: {
          options: [
            { value: 'horizontal', label: 'Horizontal' },
            { value: 'vertical', label: 'Vertical' },
          ],
        },
      })
      .addRadio({
        path: 'ordering',
        name: 'Stage order',
        category: [STAGES],
        defaultValue: defaultOptions.ordering,
        settings: {
          options: [
            { value: 'size', label: 'By size', description: 'Widest stage first' },
            { value: 'configured', label: 'Configured', description: 'As listed below' },
          ],
        },
      })
      .addTextInput({
        path: 'stageOrder',
        name: 'Stages in order',
        description: 'Stage names, comma- or newline-separated. Stages not listed follow, by size.',
        category: [STAGES],
        defaultValue: defaultOptions.stageOrder,
        settings: {
          useTextarea: true,
          rows: 5,
          placeholder: 'universe_loading, price_filtering, volume_filtering, ...',
        },
        showIf: (o) => o.ordering === 'configured',
      })
      .addMultiSelect<PercentKind, SelectFieldConfigSettings<PercentKind>>({
        path: 'percentages',
        name: 'Percentages shown',
        category: [STAGES],
        // The builder types a multi-select's default as one option; the editor stores a list.
        defaultValue: defaultOptions.percentages as unknown as PercentKind,
        settings: {
          options: [
            { value: 'fromPrevious', label: 'Conversion from previous stage' },
            { value: 'fromFirst', label: 'Conversion from first stage' },
            { value: 'dropOff', label: 'Drop-off' },
          ],
        },
      })
      .addBooleanSwitch({
        path: 'showReasons',
        name: 'Eliminations by reason',
        description: 'Stack each stage’s eliminated symbols by reason, listed in the tooltip.',
        category: [STAGES],
        defaultValue: defaultOptions.showReasons,
      })
      .addTextInput({
        path: 'stageLabel',
        name: 'Stage label',
        description: 'Label or table column naming the stage.',
        category: [QUERIES],
        defaultValue: defaultOptions.stageLabel,
      })
      .addTextInput({
        path: 'reasonLabel',
        name: 'Reason label',
        description: 'Label or table column naming the elimination reason.',
        category: [QUERIES],
        defaultValue: defaultOptions.reasonLabel,
      })
      .addTextInput({
        path: 'inputQuery',
        name: 'Input query',
        description:
          'RefId of the query returning symbols in per stage. Empty: recognised by metric name (…_symbols_input).',
        category: [QUERIES],
        defaultValue: defaultOptions.inputQuery,
      })
      .addTextInput({
        path: 'outputQuery',
        name: 'Output query',
        description:
          'RefId of the query returning symbols out per stage. Empty: by metric name, else any unrecognised value.',
        category: [QUERIES],
        defaultValue: defaultOptions.outputQuery,
      })
      .addTextInput({
        path: 'eliminationsQuery',
        name: 'Eliminations query',
        description:
          'RefId of the query returning eliminations per stage and reason. Empty: by metric name or a reason label.',
        category: [QUERIES],
        defaultValue: defaultOptions.eliminationsQuery,
      }),
  );

/**
 * Grafana fills its option-editor registries at start-up from code that is not in the
 * published packages. The panel's options builder and applyFieldOverrides look editors up
 * there, so tests and the browser harness register the few the panel uses, with inert editors
 * but Grafana's own value processors (which is what makes thresholds and links apply).
 */
import {
  dataLinksOverrideProcessor,
  FieldConfigProperty,
  type FieldConfigPropertyItem,
  standardEditorsRegistry,
  standardFieldConfigEditorRegistry,
  type StandardEditorsRegistryItem,
  thresholdsOverrideProcessor,
} from '@grafana/data';

const noEditor = () => null;

const OPTION_EDITORS: StandardEditorsRegistryItem[] = [
  'radio',
  'text',
  'multi-select',
  'boolean',
].map((id) => ({ id, name: id, editor: noEditor }));

const FIELD_CONFIG_ITEMS: FieldConfigPropertyItem[] = [
  {
    id: FieldConfigProperty.Thresholds,
    path: 'thresholds',
    name: 'Thresholds',
    editor: noEditor,
    override: noEditor,
    process: thresholdsOverrideProcessor,
    shouldApply: () => true,
  },
  {
    id: FieldConfigProperty.Links,
    path: 'links',
    name: 'Data links',
    editor: noEditor,
    override: noEditor,
    process: dataLinksOverrideProcessor,
    shouldApply: () => true,
  },
];

export function registerStandardEditors(): void {
  standardEditorsRegistry.setInit(() => OPTION_EDITORS);
  standardFieldConfigEditorRegistry.setInit(() => FIELD_CONFIG_ITEMS);
}

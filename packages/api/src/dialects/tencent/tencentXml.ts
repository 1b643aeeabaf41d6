import { XMLBuilder } from 'fast-xml-parser';

/**
 * CI bodies are bare XML (no declaration, no indentation), elements in the
 * order of the object's keys; arrays repeat their element, as
 * `<WorkflowExecutionList>` does. Text is entity-escaped by the builder.
 */
const builder = new XMLBuilder({ ignoreAttributes: true, suppressEmptyNode: false });

export function tencentXml(document: Record<string, unknown>): string {
  return builder.build(document) as string;
}

/** The label value series are folded into once a budget is spent. */
export const OTHER_LABEL = '_other';

/**
 * Bounds the label sets a metric can grow. Workflow names come from tenants
 * (any org creates any number of definitions), so every series keyed by them
 * is a memory and scrape-size cost an outsider controls: past `maxWorkflows`
 * distinct names, further workflows count under `workflow="_other"`, and past
 * `maxSeriesPerWorkflow` label combinations of one metric in one workflow,
 * further combinations count under `_other`. Totals stay right; only the
 * breakdown of the overflow is lost.
 */
export class LabelBudget {
  private readonly seen = new Map<string, Map<string, Set<string>>>();

  constructor(
    private readonly maxWorkflows: number,
    private readonly maxSeriesPerWorkflow: number,
  ) {}

  /** The labels to record `metric`'s observation under. */
  labels<T extends Record<string, string>>(metric: string, workflow: string, rest: T): { workflow: string } & T {
    let metrics = this.seen.get(workflow);
    if (!metrics) {
      if (this.seen.size >= this.maxWorkflows && workflow !== OTHER_LABEL) return this.labels(metric, OTHER_LABEL, rest);
      metrics = new Map();
      this.seen.set(workflow, metrics);
    }
    let series = metrics.get(metric);
    if (!series) metrics.set(metric, (series = new Set()));
    const key = Object.values(rest).join('\u0000');
    if (!series.has(key)) {
      if (series.size >= this.maxSeriesPerWorkflow) return { workflow, ...fold(rest) };
      series.add(key);
    }
    return { workflow, ...rest };
  }
}

const fold = <T extends Record<string, string>>(labels: T): T =>
  Object.fromEntries(Object.keys(labels).map((name) => [name, OTHER_LABEL])) as T;

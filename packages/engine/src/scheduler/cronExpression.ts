import { ScheduleExpressionInvalid } from '../errors.ts';

/**
 * Translates the two expression forms flowline accepts into one croner pattern
 * of 7 fields (`sec min hour dom month dow year`, croner's day-of-week 0=SUN):
 *
 * - Quartz, 6 or 7 fields: `sec min hour dom month dow [year]`, day-of-week
 *   1=SUN…7=SAT, `?`, `L`, `W`, `LW`, `#`. EnOS `freq` and TiEM's nightly
 *   `0 0 23 * * ?` are this form.
 * - Unix cron, 5 fields: `min hour dom month dow`, day-of-week 0=SUN…7=SUN,
 *   or an `@hourly`-style nickname.
 *
 * Nothing is passed through unchanged, because croner reads the same text
 * differently (checked against croner 11.0.1): its day-of-week is 0-based, so
 * Quartz `6L` (last Friday) is croner `5L` and `2#1` (first Monday) is `1#1`;
 * it rejects a numeric step start (`1/5`), so that becomes `1-31/5`; and `?`
 * is given an explicit meaning (any) rather than croner's own.
 */
export interface CronerPattern {
  readonly form: ExpressionForm;
  /** 7 fields, for croner in `6-or-7-parts` mode */
  readonly pattern: string;
}

export const ExpressionForm = { QUARTZ: 'quartz', UNIX: 'unix' } as const;
export type ExpressionForm = (typeof ExpressionForm)[keyof typeof ExpressionForm];

interface FieldRule {
  readonly label: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  /** value of names[0] */
  readonly nameBase?: number;
}

const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

const SECOND: FieldRule = { label: 'second', min: 0, max: 59 };
const MINUTE: FieldRule = { label: 'minute', min: 0, max: 59 };
const HOUR: FieldRule = { label: 'hour', min: 0, max: 23 };
const DAY_OF_MONTH: FieldRule = { label: 'day-of-month', min: 1, max: 31 };
const MONTH: FieldRule = { label: 'month', min: 1, max: 12, names: MONTH_NAMES, nameBase: 1 };
/** Quartz's year range. */
const YEAR: FieldRule = { label: 'year', min: 1970, max: 2099 };
const QUARTZ_DAY_OF_WEEK: FieldRule = { label: 'day-of-week', min: 1, max: 7, names: DAY_NAMES, nameBase: 1 };
const UNIX_DAY_OF_WEEK: FieldRule = { label: 'day-of-week', min: 0, max: 7, names: DAY_NAMES, nameBase: 0 };

/** Unix nicknames, as Vixie cron defines them. */
const NICKNAMES: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** Thrown inside the translation with just the reason; wrapped with the expression at the top. */
class FieldError extends Error {}

/** Translates a Quartz (6 or 7 fields) or 5-field cron expression into croner's pattern, day-of-week numbers included; throws ScheduleExpressionInvalid. */
export function toCronerPattern(expression: string): CronerPattern {
  try {
    const trimmed = expression.trim();
    const fields = (NICKNAMES[trimmed.toLowerCase()] ?? trimmed).split(/\s+/);
    if (fields.length === 5) return { form: ExpressionForm.UNIX, pattern: translateUnix(fields) };
    if (fields.length === 6 || fields.length === 7) return { form: ExpressionForm.QUARTZ, pattern: translateQuartz(fields) };
    throw new FieldError(`expected 5 fields (Unix cron) or 6–7 fields (Quartz: sec min hour day-of-month month day-of-week [year]), got ${fields.length}`);
  } catch (error) {
    if (error instanceof FieldError) throw new ScheduleExpressionInvalid(expression, error.message);
    throw error;
  }
}

function translateQuartz(fields: string[]): string {
  const [sec, min, hour, dom, month, dow, year = '*'] = fields as [string, string, string, string, string, string, string?];
  // Quartz itself refuses both days restricted (its AND/OR is undefined); '?' marks the one that does not matter.
  if (!isAny(dom) && !isAny(dow)) {
    throw new FieldError("restrict day-of-month or day-of-week, not both: put '?' in the other (e.g. 0 0 12 ? * MON)");
  }
  return [
    field(sec, SECOND),
    field(min, MINUTE),
    field(hour, HOUR),
    dayOfMonth(dom),
    field(month, MONTH),
    dayOfWeek(dow, QUARTZ_DAY_OF_WEEK),
    field(year, YEAR),
  ].join(' ');
}

function translateUnix(fields: string[]): string {
  const [min, hour, dom, month, dow] = fields as [string, string, string, string, string];
  return ['0', field(min, MINUTE), field(hour, HOUR), dayOfMonth(dom), field(month, MONTH), dayOfWeek(dow, UNIX_DAY_OF_WEEK), '*'].join(' ');
}

const isAny = (text: string) => text === '*' || text === '?';

/** A plain field: lists of `*`, `n`, `a-b`, each with an optional `/step`; `?` only where Quartz allows it. */
function field(text: string, rule: FieldRule): string {
  if (text === '?') throw new FieldError(`'?' is only allowed in day-of-month and day-of-week, not in ${rule.label}`);
  return list(text, rule, (item) => rangeItem(item, rule, (n) => n));
}

/** Day-of-month adds `L` (last day), `LW` (last weekday) and `nW` (nearest weekday to n). */
function dayOfMonth(text: string): string {
  if (isAny(text)) return '*';
  return list(text, DAY_OF_MONTH, (item) => {
    if (item === 'L' || item === 'LW') return item;
    const nearest = /^(\d+)W$/.exec(item);
    if (nearest) return `${value(nearest[1]!, DAY_OF_MONTH)}W`;
    if (/^L-\d+$/.test(item)) throw new FieldError(`day-of-month offset from the last day (${item}) is not supported`);
    return rangeItem(item, DAY_OF_MONTH, (n) => n);
  });
}

/**
 * Day-of-week, renumbered to croner's 0=SUN. Quartz counts 1=SUN…7=SAT and
 * a lone `L` means Saturday; Unix counts 0=SUN…6=SAT and 7 is Sunday again.
 */
function dayOfWeek(text: string, rule: FieldRule): string {
  if (isAny(text)) return '*';
  const quartz = rule === QUARTZ_DAY_OF_WEEK;
  const toCroner = (n: number) => (quartz ? n - 1 : n % 7);
  return list(text, rule, (item) => {
    if (item === 'L') {
      if (!quartz) throw new FieldError("a lone 'L' in day-of-week is Quartz syntax (Saturday); use 6");
      return '6';
    }
    const nth = /^(\w+)#(\d+)$/.exec(item);
    if (nth) {
      const occurrence = Number(nth[2]);
      if (occurrence < 1 || occurrence > 5) throw new FieldError(`${item}: the occurrence after '#' must be 1–5`);
      return `${toCroner(value(nth[1]!, rule))}#${occurrence}`;
    }
    const last = /^(\w+?)L$/.exec(item);
    if (last) return `${toCroner(value(last[1]!, rule))}L`;
    // A Unix range ending at 7 (Sunday) would wrap when renumbered; croner accepts 7 as Sunday in a range end.
    return rangeItem(item, rule, quartz ? toCroner : (n) => n);
  });
}

function list(text: string, rule: FieldRule, item: (item: string) => string): string {
  if (text === '') throw new FieldError(`${rule.label} is empty`);
  return text.toUpperCase().split(',').map(item).join(',');
}

/** `*`, `n`, `a-b`, `*\/s`, `a/s` (→ `a-max/s`, which croner needs), `a-b/s`. */
function rangeItem(item: string, rule: FieldRule, renumber: (n: number) => number): string {
  const match = /^(\*|\w+)(?:-(\w+))?(?:\/(\d+))?$/.exec(item);
  if (!match) throw new FieldError(`${rule.label}: cannot read ${JSON.stringify(item)}`);
  const [, start, end, step] = match as unknown as [string, string, string | undefined, string | undefined];
  if (step !== undefined && (Number(step) < 1 || Number(step) > rule.max - rule.min + 1)) {
    throw new FieldError(`${rule.label}: step ${step} is out of range`);
  }
  const stepText = step === undefined ? '' : `/${Number(step)}`;
  if (start === '*') {
    if (end !== undefined) throw new FieldError(`${rule.label}: cannot read ${JSON.stringify(item)}`);
    return `*${stepText}`;
  }
  const from = value(start, rule);
  if (end === undefined) {
    return step === undefined ? String(renumber(from)) : `${renumber(from)}-${renumber(rule.max)}${stepText}`;
  }
  const to = value(end, rule);
  if (to < from) throw new FieldError(`${rule.label}: range ${item} runs backwards`);
  return `${renumber(from)}-${renumber(to)}${stepText}`;
}

/** A number or a name (JAN, MON) within the field's range. */
function value(text: string, rule: FieldRule): number {
  const named = rule.names?.indexOf(text.toUpperCase()) ?? -1;
  const n = named >= 0 ? named + rule.nameBase! : /^\d+$/.test(text) ? Number(text) : NaN;
  if (Number.isNaN(n)) throw new FieldError(`${rule.label}: ${JSON.stringify(text)} is not a number${rule.names ? ' or a name' : ''}`);
  if (n < rule.min || n > rule.max) throw new FieldError(`${rule.label}: ${n} is outside ${rule.min}–${rule.max}`);
  return n;
}

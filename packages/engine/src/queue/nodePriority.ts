/** The lowest priority a run may start with (a start outside the range is refused); 0 is the default, higher runs' nodes go first. */
export const MIN_RUN_PRIORITY = -1000;
/** The highest priority a run may start with. */
export const MAX_RUN_PRIORITY = 1000;

/**
 * A run's priority as BullMQ's job priority option: BullMQ takes lower
 * numbers first (1 highest) and takes jobs with no priority before every
 * prioritized one, so every job carries one — default runs included, or a
 * run of priority 10 would wait behind every unprioritized job. 0 maps to
 * 1001, 1000 to 1 and -1000 to 2001; equal priorities stay first in, first out.
 */
export function bullPriority(runPriority: number): number {
  return MAX_RUN_PRIORITY + 1 - runPriority;
}

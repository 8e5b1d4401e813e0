/**
 * What `ruleport diff` takes for an output tree (compared as it is) rather than rules to build.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** A directory holding report.json. */
export function isOutputTree(p: string): boolean {
  try {
    return statSync(p).isDirectory() && existsSync(join(p, 'report.json'));
  } catch {
    return false;
  }
}

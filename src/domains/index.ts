import type { DomainModule } from '../core/module.js';
import { createBitableMirror, mirrorModule, type MirrorModuleOptions } from '../mirror/index.js';
import { directoryModule } from './directory/index.js';
import { exceptionsModule } from './exceptions/index.js';

/**
 * Every business workflow, in the order their commands appear in the help card — fresh per app,
 * so two apps in one process never share state. The Bitable mirror comes first (it attaches
 * before anyone writes); a module that reacts to people's edits takes it explicitly, e.g.
 * `exceptionsModule({ mirror })`, and calls `mirror.onChange(tableKey, …)` in its setup.
 */
export function createDomains(options: MirrorModuleOptions = {}): DomainModule[] {
  const mirror = createBitableMirror();
  // The directory module reads the shared tables (people, teams, calendar, rules) the workflows route by.
  return [mirrorModule(mirror, options), directoryModule({ mirror }), exceptionsModule({ bitable: mirror })];
}

export const domains: DomainModule[] = createDomains();

import type { DomainModule } from '../core/module.js';

/** Every business workflow, in the order their commands appear in the help card. */
export const domains: DomainModule[] = [];

import type { DomainModule } from '../core/module.js';
import exceptions from './exceptions/index.js';

/** Every business workflow, in the order their commands appear in the help card. */
export const domains: DomainModule[] = [exceptions];

/** The value lists the columns declare (one place; the logic files own their meaning). */
export { APPROVER_ROLES, CONTRACT_STATES, CURRENCIES, PAYMENT_STATES, STEP_DECISIONS } from './contract.js';
export { LIST_STATES as LIST_STATES_FOR_SCHEMA } from './risk.js';
export { BUDGET_CATEGORIES, BUDGET_STATES } from './budget.js';

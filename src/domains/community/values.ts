import { z } from 'zod';

/** Card button values, parsed once at the boundary. Each names the alert's version it was drawn for. */
export const AckValue = z.object({
  action: z.literal('community.ack'),
  alertId: z.coerce.number().int().positive(),
  version: z.coerce.number().int().positive(),
});
export type AckValue = z.infer<typeof AckValue>;

export const MuteValue = z.object({
  action: z.literal('community.mute'),
  alertId: z.coerce.number().int().positive(),
  version: z.coerce.number().int().positive(),
  days: z.coerce.number().int().min(1).max(90),
});
export type MuteValue = z.infer<typeof MuteValue>;

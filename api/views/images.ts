import { z } from 'zod';
import type { Image } from '../../db/client';

export const imageView = z.object({
  id: z.number().int(),
  content_id: z.number().int(),
  task_id: z.number().int().nullable(),
  image_type: z.string(),
  position: z.number().int(),
  prompt: z.string(),
  image_url: z.string().nullable(),
  provider: z.string().nullable(),
  model: z.string().nullable(),
  cost: z.number(),
  status: z.string(),
  created_at: z.string(),
});

export function toImageView(i: Image): z.infer<typeof imageView> {
  return {
    id: i.id,
    content_id: i.contentId,
    task_id: i.taskId,
    image_type: i.imageType,
    position: i.position,
    prompt: i.prompt,
    image_url: i.imageUrl,
    provider: i.provider,
    model: i.model,
    cost: i.cost,
    status: i.status,
    created_at: i.createdAt.toISOString(),
  };
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { settingsChangeSchema, type BehaviourInput, type Behaviour, type PendingBehaviour, type ProviderSettings } from './behaviours';
import { parseBody, readBody, sendJson } from './http-io';
import type { RecordedRequest } from './request-record';

/** What the control endpoints act on: the provider's own in-process control API. */
export interface ProviderControls {
  enqueue(behaviour: BehaviourInput | BehaviourInput[]): Behaviour[];
  pendingBehaviours(): PendingBehaviour[];
  requests(filter?: { path?: string }): RecordedRequest[];
  reset(): void;
  settings(change?: Partial<ProviderSettings>): ProviderSettings;
}

/**
 * `/_control/*`: the same controls over HTTP, for tests in other processes (a worker, a black-box
 * run of the service). Never recorded and never subject to behaviours.
 */
export async function serveControl(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  controls: ProviderControls,
): Promise<void> {
  const path = url.pathname.replace(/\/+$/, '');
  const route = `${req.method} ${path}`;
  const body = req.method === 'POST' ? parseBody(await readBody(req)) : { json: false, value: undefined };
  if (req.method === 'POST' && !body.json && route !== 'POST /_control/reset') {
    sendJson(res, 400, { error: 'the body must be JSON' });
    return;
  }
  try {
    switch (route) {
      case 'POST /_control/behaviours': {
        const queued = controls.enqueue(body.value as BehaviourInput | BehaviourInput[]);
        sendJson(res, 200, { queued, pending: controls.pendingBehaviours().length });
        return;
      }
      case 'GET /_control/behaviours':
        sendJson(res, 200, controls.pendingBehaviours());
        return;
      case 'GET /_control/requests':
        sendJson(res, 200, controls.requests({ path: url.searchParams.get('path') ?? undefined }));
        return;
      case 'POST /_control/reset':
        controls.reset();
        sendJson(res, 200, { reset: true });
        return;
      case 'GET /_control/settings':
        sendJson(res, 200, controls.settings());
        return;
      case 'POST /_control/settings':
        sendJson(res, 200, controls.settings(settingsChangeSchema.parse(body.value)));
        return;
      default:
        sendJson(res, 404, { error: `no control endpoint ${route}` });
    }
  } catch (error) {
    if (!(error instanceof z.ZodError)) throw error;
    sendJson(res, 400, { error: z.prettifyError(error) });
  }
}

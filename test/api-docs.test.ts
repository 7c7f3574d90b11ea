import { startTestStack, type TestStack } from './support/stack';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.stop();
});

describe('the OpenAPI document at /docs', () => {
  it('lists every route of the API with its request and response schemas', async () => {
    const doc = await stack.api('GET', '/docs/json');
    expect(doc.status).toBe(200);
    const paths = Object.keys(doc.body.paths);
    for (const path of [
      '/api/v1/health/',
      '/api/v1/health/live/',
      '/api/v1/planner/keywords/',
      '/api/v1/planner/keywords/auto_cluster/',
      '/api/v1/planner/clusters/auto_generate_ideas/',
      '/api/v1/writer/tasks/auto_generate_content/',
      '/api/v1/writer/content/generate_image_prompts/',
      '/api/v1/writer/images/generate_images/',
      '/api/v1/system/settings/task_progress/{task_id}/',
      '/api/v1/system/settings/integrations/{integration_type}/',
      '/api/v1/system/prompts/{prompt_type}/',
      '/api/v1/system/tasks/{task_id}/retry/',
      '/api/v1/system/tasks/{task_id}/cancel/',
      '/api/v1/system/tasks/{task_id}/reset/',
      '/api/v1/planner/sectors/',
      '/api/v1/planner/ideas/',
      '/api/v1/writer/tasks/',
      '/api/v1/writer/content/',
      '/api/v1/writer/content/{id}/',
      '/api/v1/writer/images/',
      '/api/v1/system/prompts/',
      '/api/v1/system/ai-task-logs/',
    ]) {
      expect(paths).toContain(path);
    }
    const start = doc.body.paths['/api/v1/planner/keywords/auto_cluster/'].post;
    expect(start.requestBody.content['application/json'].schema.properties).toHaveProperty('ids');
    expect(start.responses['200'].content['application/json'].schema.properties).toHaveProperty('task_id');
    expect(start.responses['404'].content['application/json'].schema.properties).toHaveProperty('error');
  });

  it('serves the interactive page without an API key', async () => {
    const page = await fetch(`${stack.baseUrl}/docs/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html');
  });
});

import { AI_FUNCTIONS } from '../../functions';
import { createActivities } from '../../worker/activities';
import * as workflows from '../../workflows';

// The compiler checks the names; this checks that the worker really registers what they name.
describe('every AI function definition is wired at run time', () => {
  const activities = createActivities({ prisma: {} as never }) as unknown as Record<string, unknown>;

  for (const definition of AI_FUNCTIONS) {
    it(`${definition.name}: its workflow is registered${definition.kind === 'pipeline' ? ' and its activities exist' : ''}`, () => {
      if (definition.kind === 'pipeline') for (const name of Object.values(definition.activities)) expect(typeof activities[name]).toBe('function');
      expect(typeof (workflows as Record<string, unknown>)[definition.workflowType]).toBe('function');
    });
  }

  it('the shared activities exist', () => {
    expect(typeof activities.requestCompletion).toBe('function');
    expect(typeof activities.completeRunRecord).toBe('function');
  });
});

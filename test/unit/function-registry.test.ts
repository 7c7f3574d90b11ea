import { AI_FUNCTIONS } from '../../pipeline/definition';
import { createActivities } from '../../activities';
import * as workflows from '../../workflows';

describe('every AI function definition is wired', () => {
  const activities = createActivities({ prisma: {} as never });

  for (const definition of Object.values(AI_FUNCTIONS)) {
    it(`${definition.name}: its activities and workflow exist`, () => {
      for (const name of Object.values(definition.activities)) expect(typeof (activities as Record<string, unknown>)[name]).toBe('function');
      expect(typeof (workflows as Record<string, unknown>)[definition.workflowType]).toBe('function');
    });
  }

  it('the shared activities exist', () => {
    expect(typeof activities.requestCompletion).toBe('function');
    expect(typeof activities.completeRunRecord).toBe('function');
  });
});

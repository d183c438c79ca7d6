import { describe, expect, it } from 'vitest';
import evaluate from '../../worker/task.ts';
import { naive, sourceJob } from './jobs.ts';

describe('the pool task', () => {
  it('refuses a message that is not a job, naming the zod path', async () => {
    const message = { ...sourceJob(naive()), seed: -1 };
    await expect(evaluate(message)).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringMatching(/^invalid job: seed: /) });
  });

  it('evaluates a job outside a pool too', async () => {
    expect((await evaluate(sourceJob(naive()))).worker).toMatch(/^main#0$/);
  });
});

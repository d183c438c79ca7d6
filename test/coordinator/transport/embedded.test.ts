import { EmbeddedTransport } from '../../../coordinator/transport/embedded.ts';
import { SleepEvaluator } from '../../../testkit/sleep-evaluator.ts';
import { transportConformance } from './conformance.ts';

transportConformance('embedded', async () => {
  const transport = new EmbeddedTransport(new SleepEvaluator('embedded-test'), 4);
  return { transport, workerName: 'embedded-test', dispose: () => transport.close() };
});

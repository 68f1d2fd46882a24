import { shortVisibilityTimeouts } from '../../../../src/local/template/read-event-source-mappings';
import { readStackTemplate } from '../../../../src/local/template/read-stack-template';
import { minimalTemplate } from './template-factory';

// minimalTemplate: queue Work (visibility timeout 60 s) consumed by function Worker (timeout 10 s).
const model = () => readStackTemplate(minimalTemplate(), { stackName: 'Test' });

describe('Function: shortVisibilityTimeouts', () => {
  it("finds nothing in the template's visibility timeouts, nor in an override equal to the consumer's timeout", () => {
    // Act & Assess
    expect(shortVisibilityTimeouts(model())).toEqual([]);
    expect(shortVisibilityTimeouts(model(), 10)).toEqual([]);
  });

  it("names the queue, its consumer and both values when an override is shorter than the consumer's timeout", () => {
    // Act & Assess
    expect(shortVisibilityTimeouts(model(), 9)).toEqual([
      'the visibility timeout of queue Work (9 s) is shorter than the timeout of its consumer Worker (10 s), which AWS refuses: a batch that runs longer is received again while it still runs',
    ]);
  });

  it("finds a template whose own queue is shorter than its consumer's timeout", () => {
    // Arrange
    const template = minimalTemplate() as { Resources: Record<string, { Properties: Record<string, unknown> }> };
    const workQueue = template.Resources.WorkQueue;
    if (workQueue === undefined) throw new Error('minimalTemplate has no WorkQueue');
    workQueue.Properties.VisibilityTimeout = 5;

    // Act
    const lines = shortVisibilityTimeouts(readStackTemplate(template, { stackName: 'Test' }));

    // Assess
    expect(lines).toEqual([expect.stringContaining('queue Work (5 s) is shorter than the timeout of its consumer Worker (10 s)')]);
  });
});

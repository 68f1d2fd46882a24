import { getStage, maxTokenLifetimeSecondsOf, stageNames } from '../../infra/stages';

describe('Stages (infra/stages.ts)', () => {
  it('lets the local console sign tokens for local only: never for prod, although its key is generated too', () => {
    const marked = stageNames().filter((name) => getStage(name).consoleTokens === true);

    expect(marked).toEqual(['local']);
    expect(getStage('prod').jwt.keySource.kind).toBe('generated');
  });

  it('caps token lifetimes at 24 h on every stage', () => {
    for (const name of stageNames()) expect(maxTokenLifetimeSecondsOf(getStage(name))).toBe(86_400);
  });

  it("leaves connections per user to the construct's default on dev and prod; local allows the 1,000 of the fan-out benchmark", () => {
    expect(getStage('dev').maxConnectionsPerUser).toBeUndefined();
    expect(getStage('prod').maxConnectionsPerUser).toBeUndefined();
    expect(getStage('local').maxConnectionsPerUser).toBe(1000);
  });
});

import { getStage, maxConnectionsPerUserOf, maxTokenLifetimeSecondsOf, stageNames } from '../../infra/stages';

describe('Stages (infra/stages.ts)', () => {
  it('lets the local console sign tokens for local only: never for prod, although its key is generated too', () => {
    const marked = stageNames().filter((name) => getStage(name).consoleTokens === true);

    expect(marked).toEqual(['local']);
    expect(getStage('prod').jwt.keySource.kind).toBe('generated');
  });

  it('caps token lifetimes at 24 h on every stage', () => {
    for (const name of stageNames()) expect(maxTokenLifetimeSecondsOf(getStage(name))).toBe(86_400);
  });

  it('caps connections per user at 20 on dev and prod; local allows the 1,000 of the fan-out benchmark', () => {
    expect(maxConnectionsPerUserOf(getStage('dev'))).toBe(20);
    expect(maxConnectionsPerUserOf(getStage('prod'))).toBe(20);
    expect(maxConnectionsPerUserOf(getStage('local'))).toBe(1000);
  });
});

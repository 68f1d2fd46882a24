/**
 * What test/unit gets for `aws-cdk-lib` (jest.config.js): loading the CDK is the first step of a
 * synthesis, which a unit test does not do.
 */
throw new Error('aws-cdk-lib in a unit test: unit tests synthesize nothing. A test of the construct or of a synthesized template belongs in test/infra.');

import type { CiProvider } from './provider.js';

export const jenkins: CiProvider = {
  name: 'jenkins',
  detectedBy: 'JENKINS_URL',
  detect: (env) => env.JENKINS_URL !== undefined,
  async publish(context) {
    for (const line of context.markdown.split('\n')) context.print(line);
    if (context.junitFile !== undefined) {
      context.print(`dtf ci: JUnit report ${context.junitFile} (junit '${context.junitFile}')`);
    }
  },
};

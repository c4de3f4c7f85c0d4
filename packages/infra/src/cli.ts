/**
 * npm run infra:up / infra:down, or directly:
 *   tsx packages/infra/src/cli.ts up [--env development|test]   start what is missing, reuse the rest
 *   tsx packages/infra/src/cli.ts down                          stop the Kafka broker this project started
 *   tsx packages/infra/src/cli.ts status                        what answers, one line per service
 *   tsx packages/infra/src/cli.ts topics                        only create missing topics on KAFKA_BROKERS (used by deploy/)
 *   tsx packages/infra/src/cli.ts deploy                        regenerate deploy/ from supergraph.yaml
 * PostgreSQL and Redis are machine services shared with other projects, so
 * `down` never stops them, even if `up` had to start them.
 */
import { kafkaBrokers, postgresServerUrl, redisUrl } from '@commerce/config';
import { writeDeployFiles } from './deploy.js';
import { ensureInfrastructure, ensureTopics, isPostgresUp, kafkaStatus, pingRedis, stopKafka, type InfrastructureOptions } from './index.js';
import { errorMessage, log } from './util.js';

function parseEnv(args: string[]): InfrastructureOptions['env'] {
  const index = args.indexOf('--env');
  const value = index >= 0 ? args[index + 1] : 'development';
  if (value !== 'development' && value !== 'test') throw new Error(`--env must be development or test, got ${String(value)}`);
  return value;
}

const withoutCredentials = (url: string): string => url.replace(/\/\/[^@/]*@/, '//');

async function main(args: string[]): Promise<void> {
  const [command = 'status'] = args;
  switch (command) {
    case 'up': {
      const result = await ensureInfrastructure({ env: parseEnv(args) });
      log(`up: postgres ${result.postgres}, redis ${result.redis}, kafka ${result.kafka} (${result.durationMs} ms)`);
      return;
    }
    case 'down': {
      if (!(await stopKafka())) log('down: no Kafka broker started by this project is running');
      return;
    }
    case 'status': {
      const [postgres, redis, kafka] = await Promise.all([isPostgresUp(), pingRedis(), kafkaStatus()]);
      const mark = (up: boolean): string => (up ? 'up  ' : 'DOWN');
      process.stdout.write(
        [
          `postgres ${mark(postgres)} ${withoutCredentials(postgresServerUrl())}`,
          `redis    ${mark(redis)} ${withoutCredentials(redisUrl())}`,
          `kafka    ${mark(kafka.up)} ${kafkaBrokers().join(',')}${kafka.pid ? ` (pid ${kafka.pid}, started by this project)` : ''}`,
        ].join('\n') + '\n',
      );
      if (!postgres || !redis || !kafka.up) process.exitCode = 1;
      return;
    }
    case 'topics': {
      const created = await ensureTopics();
      log(`topics: ${created.length ? `created ${created.join(', ')}` : 'all present'}`);
      return;
    }
    case 'deploy': {
      for (const file of writeDeployFiles()) log(`deploy: wrote deploy/${file}`);
      return;
    }
    default:
      throw new Error(`Unknown command "${command}". Use up [--env development|test], down, status, topics or deploy.`);
  }
}

try {
  await main(process.argv.slice(2));
} catch (error) {
  log(`error: ${errorMessage(error)}`);
  process.exitCode = 1;
}

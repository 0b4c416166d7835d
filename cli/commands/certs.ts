import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { integerIn } from '../options/integers.js';
import { collectRepeated } from '../options/repeated.js';
import { printLine } from '../output.js';

const DEFAULT_HOSTS = ['localhost', '127.0.0.1', '::1'];

export function registerCertsCommand(program: Command): void {
  const certs = program.command('certs').description('TLS certificates for DTF');
  certs
    .command('dev')
    .description(
      'a local CA and a server certificate it signed, for a coordinator over TLS on a development or test network',
    )
    .option('--dir <dir>', 'where to write ca.pem, cert.pem and key.pem', '.dtf-certs')
    .option(
      '--host <name>',
      `a name or IP address the certificate is for (repeatable; default ${DEFAULT_HOSTS.join(', ')})`,
      collectRepeated,
    )
    .option('--days <n>', 'how long the certificates are valid', integerIn(1, 825), 365)
    .action(async (options: { dir: string; host?: string[]; days: number }) => {
      const dir = resolve(options.dir);
      const hosts = options.host ?? DEFAULT_HOSTS;
      // Loaded here: no other command needs the X.509 library.
      const { createDevCertificates } = await import('../certs/dev-certificates.js');
      const made = await createDevCertificates(hosts, options.days);
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      writeFileSync(join(dir, 'ca.pem'), made.caPem, { mode: 0o644 });
      writeFileSync(join(dir, 'cert.pem'), made.certPem, { mode: 0o644 });
      writeFileSync(join(dir, 'key.pem'), made.keyPem, { mode: 0o600 });
      printLine(
        `wrote ${dir}/ca.pem, cert.pem and key.pem (for ${hosts.join(', ')}, ${options.days} days)`,
      );
      printLine(
        `  dtf coordinator --tls-cert ${join(dir, 'cert.pem')} --tls-key ${join(dir, 'key.pem')}`,
      );
      printLine(`  dtf --ca ${join(dir, 'ca.pem')} --coordinator https://localhost:8765 status`);
      printLine('the CA signed this certificate only: its private key was not kept');
    });
}

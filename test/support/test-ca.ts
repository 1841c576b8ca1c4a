/**
 * A certificate authority made for one test run with the machine's `openssl`: a CA certificate and
 * a server certificate it signed for 127.0.0.1, so fakes can listen on real HTTPS. Child processes
 * trust it through `NODE_EXTRA_CA_CERTS=<caFile>`; in-process code is handed `ca`.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestCa {
  /** The CA certificate (PEM) and the file holding it. */
  readonly ca: string;
  readonly caFile: string;
  /** The server's certificate (PEM, signed by the CA, SAN IP:127.0.0.1 and DNS:localhost) and key. */
  readonly cert: string;
  readonly key: string;
  readonly dir: string;
  remove(): Promise<void>;
}

export async function makeTestCa(): Promise<TestCa> {
  const dir = await mkdtemp(join(tmpdir(), 'seatwise-ca-'));
  const file = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => run('openssl', args, { cwd: dir });
  await openssl(
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.pem'),
    '-days',
    '2',
    '-subj',
    '/CN=Seatwise test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
  await openssl(
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    file('server.key'),
    '-out',
    file('server.csr'),
    '-subj',
    '/CN=127.0.0.1',
  );
  await writeFile(
    file('server.ext'),
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n',
  );
  await openssl(
    'x509',
    '-req',
    '-in',
    file('server.csr'),
    '-CA',
    file('ca.pem'),
    '-CAkey',
    file('ca.key'),
    '-CAcreateserial',
    '-out',
    file('server.pem'),
    '-days',
    '2',
    '-extfile',
    file('server.ext'),
  );
  const [ca, cert, key] = await Promise.all(
    ['ca.pem', 'server.pem', 'server.key'].map((n) => readFile(file(n), 'utf8')),
  );
  return {
    ca: ca!,
    caFile: file('ca.pem'),
    cert: cert!,
    key: key!,
    dir,
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** A self-signed certificate and its key (PEM), e.g. for a confidential client's certificate. */
export async function makeClientCertificate(
  dir: string,
): Promise<{ file: string; cert: string; key: string }> {
  const key = join(dir, 'client.key');
  const cert = join(dir, 'client.pem');
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    key,
    '-out',
    cert,
    '-days',
    '2',
    '-subj',
    '/CN=seatwise-test-app',
  ]);
  const [certPem, keyPem] = await Promise.all([readFile(cert, 'utf8'), readFile(key, 'utf8')]);
  const both = join(dir, 'client-with-key.pem');
  await writeFile(both, `${keyPem}${certPem}`, { mode: 0o600 });
  return { file: both, cert: certPem, key: keyPem };
}

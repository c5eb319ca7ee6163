// Configuration parity: in the same environment (variables, HOME, shared config files), a
// JS SDK client and the native client reach the same endpoint, sign for the same region
// with the same access key, make as many attempts and send the same caller sections in
// their user-agent headers (app id and customUserAgent).
// Each case runs in a child process of its own (config-matrix-child.js) with HOME pointed
// at a temporary directory, so the real ~/.aws is never read; IMDS is disabled so that
// nothing waits on 169.254.169.254, except in the case that points it at a local fake.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { startEmulator } from '../testing';
import { runNode } from './helpers/child';

const CHILD = path.join(__dirname, 'helpers', 'config-matrix-child.js');

/** Key pairs the emulator accepts; each names the source it is put in. */
const KEYS = {
  env: ['AKIDENV', 'env-secret'],
  profile: ['AKIDPROFILE', 'profile-secret'],
  other: ['AKIDOTHERPROFILE', 'other-secret'],
  process: ['AKIDPROCESS', 'process-secret'],
  explicit: ['AKIDEXPLICIT', 'explicit-secret'],
  container: ['AKIDCONTAINER', 'container-secret'],
  imds: ['AKIDIMDS', 'imds-secret'],
  sts: ['AKIDSTS', 'sts-secret'],
} as const;

const envKeys = { AWS_ACCESS_KEY_ID: KEYS.env[0], AWS_SECRET_ACCESS_KEY: KEYS.env[1] };
const iniKeys = (k: readonly [string, string]) => `aws_access_key_id = ${k[0]}\naws_secret_access_key = ${k[1]}\n`;
/** A port nothing listens on: an endpoint that must lose to a higher-precedence one. */
const CLOSED = 'http://127.0.0.1:9';

interface Expected {
  /** 'emulator' (directly or through the TLS proxy), or the host a DNS lookup failed for. */
  reached?: string;
  region?: string;
  accessKeyId?: string;
  attempts?: number;
  /** The caller's sections of `user-agent` and `x-amz-user-agent` (see callerSections). */
  userAgent?: string;
  xAmzUserAgent?: string;
  /** `sigv4`, or the `Authorization` header of bearer-token auth. */
  auth?: string;
  /** `name: message` of a call that failed before sending. */
  error?: string;
}

interface Case {
  name: string;
  env?: Record<string, string>;
  /** ~/.aws/config and ~/.aws/credentials (or files the env names, under HOME). */
  config?: string;
  credentials?: string;
  files?: Record<string, string>;
  clientConfig?: Record<string, unknown>;
  behavior?: Record<string, unknown>;
  /** Both clients must have connected through the HTTPS proxy. */
  overTls?: boolean;
  /** Leave IMDS enabled (every other case sets AWS_EC2_METADATA_DISABLED). */
  imds?: boolean;
  expect: Expected;
}

const CASES: Case[] = [
  // Endpoints
  { name: 'AWS_ENDPOINT_URL', env: { AWS_ENDPOINT_URL: '{{endpoint}}', AWS_REGION: 'us-west-2', ...envKeys },
    expect: { reached: 'emulator', region: 'us-west-2', accessKeyId: 'AKIDENV', attempts: 1 } },
  { name: 'AWS_ENDPOINT_URL_BEDROCK_RUNTIME beats AWS_ENDPOINT_URL',
    env: { AWS_ENDPOINT_URL_BEDROCK_RUNTIME: '{{endpoint}}', AWS_ENDPOINT_URL: CLOSED, AWS_REGION: 'us-west-2', ...envKeys },
    expect: { reached: 'emulator', region: 'us-west-2', accessKeyId: 'AKIDENV', attempts: 1 } },
  { name: 'profile endpoint_url, region and keys from the shared files',
    config: '[default]\nendpoint_url = {{endpoint}}\nregion = eu-west-1\n', credentials: `[default]\n${iniKeys(KEYS.profile)}`,
    expect: { reached: 'emulator', region: 'eu-west-1', accessKeyId: 'AKIDPROFILE', attempts: 1 } },
  { name: 'profile services section beats the profile endpoint_url',
    config: `[default]\nregion = eu-west-1\nservices = local\nendpoint_url = ${CLOSED}\n[services local]\nbedrock_runtime =\n  endpoint_url = {{endpoint}}\n`,
    credentials: `[default]\n${iniKeys(KEYS.profile)}`,
    expect: { reached: 'emulator', region: 'eu-west-1', accessKeyId: 'AKIDPROFILE', attempts: 1 } },
  { name: 'services section without bedrock_runtime falls back to the profile endpoint_url',
    config: `[default]\nregion = eu-west-1\nservices = local\nendpoint_url = {{endpoint}}\n[services local]\ns3 =\n  endpoint_url = ${CLOSED}\n`,
    credentials: `[default]\n${iniKeys(KEYS.profile)}`,
    expect: { reached: 'emulator', region: 'eu-west-1', accessKeyId: 'AKIDPROFILE', attempts: 1 } },
  { name: 'AWS_ENDPOINT_URL beats the profile services section',
    env: { AWS_ENDPOINT_URL: '{{endpoint}}' },
    config: `[default]\nregion = eu-west-1\nservices = local\n[services local]\nbedrock_runtime =\n  endpoint_url = ${CLOSED}\n`,
    credentials: `[default]\n${iniKeys(KEYS.profile)}`,
    expect: { reached: 'emulator', region: 'eu-west-1', accessKeyId: 'AKIDPROFILE', attempts: 1 } },
  { name: 'clientConfig.endpoint beats AWS_ENDPOINT_URL',
    env: { AWS_ENDPOINT_URL: CLOSED, AWS_REGION: 'us-west-2', ...envKeys }, clientConfig: { endpoint: '{{endpoint}}' },
    expect: { reached: 'emulator', region: 'us-west-2', accessKeyId: 'AKIDENV', attempts: 1 } },
  { name: 'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS leaves the regional endpoint',
    env: { AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true', AWS_ENDPOINT_URL: '{{endpoint}}', AWS_REGION: 'us-east-1', AWS_MAX_ATTEMPTS: '1', ...envKeys },
    expect: { reached: 'bedrock-runtime.us-east-1.amazonaws.com' } },
  { name: 'profile ignore_configured_endpoint_urls leaves the regional endpoint',
    config: '[default]\nregion = eu-west-1\nignore_configured_endpoint_urls = true\nendpoint_url = {{endpoint}}\nmax_attempts = 1\n',
    env: envKeys, expect: { reached: 'bedrock-runtime.eu-west-1.amazonaws.com' } },
  { name: 'clientConfig.ignoreConfiguredEndpointUrls leaves the regional endpoint',
    env: { AWS_ENDPOINT_URL: '{{endpoint}}', AWS_REGION: 'us-east-1', ...envKeys }, clientConfig: { ignoreConfiguredEndpointUrls: true, maxAttempts: 1 },
    expect: { reached: 'bedrock-runtime.us-east-1.amazonaws.com' } },
  { name: 'configured endpoints come from AWS_PROFILE, not clientConfig.profile',
    env: { AWS_PROFILE: 'envprofile', ...envKeys },
    config: `[profile envprofile]\nendpoint_url = {{endpoint}}\n[profile named]\nregion = ap-south-1\nendpoint_url = ${CLOSED}\n`,
    credentials: `[named]\n${iniKeys(KEYS.other)}`, clientConfig: { profile: 'named' },
    expect: { reached: 'emulator', region: 'ap-south-1', accessKeyId: 'AKIDOTHERPROFILE', attempts: 1 } },
  // Regions
  { name: 'AWS_REGION beats the profile region', env: { AWS_REGION: 'ca-central-1', AWS_ENDPOINT_URL: '{{endpoint}}', ...envKeys },
    config: '[default]\nregion = eu-west-1\n', expect: { reached: 'emulator', region: 'ca-central-1', accessKeyId: 'AKIDENV', attempts: 1 } },
  { name: 'AWS_DEFAULT_REGION is not read; the profile region is',
    env: { AWS_DEFAULT_REGION: 'eu-central-1', AWS_ENDPOINT_URL: '{{endpoint}}', ...envKeys },
    config: '[default]\nregion = eu-west-3\n', expect: { reached: 'emulator', region: 'eu-west-3', accessKeyId: 'AKIDENV', attempts: 1 } },
  { name: 'no region anywhere: Region is missing',
    env: { AWS_DEFAULT_REGION: 'eu-central-1', AWS_ENDPOINT_URL: '{{endpoint}}', ...envKeys },
    expect: { error: 'Error: Region is missing' } },
  { name: 'the credentials file region beats the config file region',
    env: { AWS_ENDPOINT_URL: '{{endpoint}}', ...envKeys }, config: '[default]\nregion = eu-west-1\n', credentials: '[default]\nregion = eu-north-1\n',
    expect: { reached: 'emulator', region: 'eu-north-1', accessKeyId: 'AKIDENV', attempts: 1 } },
  { name: 'clientConfig.region beats AWS_REGION', env: { AWS_REGION: 'ca-central-1', AWS_ENDPOINT_URL: '{{endpoint}}', ...envKeys },
    clientConfig: { region: 'sa-east-1' }, expect: { reached: 'emulator', region: 'sa-east-1', accessKeyId: 'AKIDENV', attempts: 1 } },
  // Profiles and credentials
  { name: 'AWS_PROFILE selects the profile', env: { AWS_PROFILE: 'work', AWS_ENDPOINT_URL: '{{endpoint}}' },
    config: '[default]\nregion = eu-west-1\n[profile work]\nregion = ap-northeast-1\n',
    credentials: `[default]\n${iniKeys(KEYS.profile)}[work]\n${iniKeys(KEYS.other)}`,
    expect: { reached: 'emulator', region: 'ap-northeast-1', accessKeyId: 'AKIDOTHERPROFILE', attempts: 1 } },
  { name: 'clientConfig.profile beats AWS_PROFILE', env: { AWS_PROFILE: 'work', AWS_ENDPOINT_URL: '{{endpoint}}' },
    config: '[profile work]\nregion = ap-northeast-1\n[profile home]\nregion = ap-southeast-2\n',
    credentials: `[work]\n${iniKeys(KEYS.profile)}[home]\n${iniKeys(KEYS.other)}`, clientConfig: { profile: 'home' },
    expect: { reached: 'emulator', region: 'ap-southeast-2', accessKeyId: 'AKIDOTHERPROFILE', attempts: 1 } },
  { name: 'a named profile skips the environment keys', env: { AWS_PROFILE: 'work', AWS_ENDPOINT_URL: '{{endpoint}}', AWS_REGION: 'us-west-2', ...envKeys },
    credentials: `[work]\n${iniKeys(KEYS.profile)}`,
    expect: { reached: 'emulator', region: 'us-west-2', accessKeyId: 'AKIDPROFILE', attempts: 1 } },
  { name: 'without a named profile the environment keys come first', env: { AWS_ENDPOINT_URL: '{{endpoint}}', AWS_REGION: 'us-west-2', ...envKeys },
    credentials: `[default]\n${iniKeys(KEYS.profile)}`,
    expect: { reached: 'emulator', region: 'us-west-2', accessKeyId: 'AKIDENV', attempts: 1 } },
  { name: 'AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE',
    env: { AWS_CONFIG_FILE: '{{home}}/elsewhere/cfg', AWS_SHARED_CREDENTIALS_FILE: '{{home}}/elsewhere/creds' },
    config: '[default]\nregion = eu-west-1\nendpoint_url = http://127.0.0.1:9\n',
    files: { 'elsewhere/cfg': '[default]\nregion = me-south-1\nendpoint_url = {{endpoint}}\n', 'elsewhere/creds': `[default]\n${iniKeys(KEYS.other)}` },
    expect: { reached: 'emulator', region: 'me-south-1', accessKeyId: 'AKIDOTHERPROFILE', attempts: 1 } },
  { name: 'credential_process', env: { AWS_ENDPOINT_URL: '{{endpoint}}', AWS_REGION: 'us-west-2' },
    config: '[default]\ncredential_process = "{{node}}" "{{home}}/creds.js"\n',
    files: { 'creds.js': `process.stdout.write(JSON.stringify({ Version: 1, AccessKeyId: '${KEYS.process[0]}', SecretAccessKey: '${KEYS.process[1]}' }));\n` },
    expect: { reached: 'emulator', region: 'us-west-2', accessKeyId: 'AKIDPROCESS', attempts: 1 } },
  { name: 'clientConfig.credentials beat the environment', env: { AWS_ENDPOINT_URL: '{{endpoint}}', AWS_REGION: 'us-west-2', ...envKeys },
    clientConfig: { credentials: { accessKeyId: KEYS.explicit[0], secretAccessKey: KEYS.explicit[1] } },
    expect: { reached: 'emulator', region: 'us-west-2', accessKeyId: 'AKIDEXPLICIT', attempts: 1 } },
  { name: 'a container credentials endpoint with an authorization token (ECS / EKS Pod Identity)',
    env: { AWS_CONTAINER_CREDENTIALS_FULL_URI: '{{metadata}}/container-credentials', AWS_CONTAINER_AUTHORIZATION_TOKEN: 'pod-identity-token',
      AWS_ENDPOINT_URL: '{{endpoint}}', AWS_REGION: 'us-west-2' },
    expect: { reached: 'emulator', region: 'us-west-2', accessKeyId: 'AKIDCONTAINER', attempts: 1 } },
  { name: 'a web identity token file (IRSA), exchanged with STS',
    env: { AWS_WEB_IDENTITY_TOKEN_FILE: '{{home}}/token', AWS_ROLE_ARN: 'arn:aws:iam::123456789012:role/matrix', AWS_ROLE_SESSION_NAME: 'matrix',
      AWS_ENDPOINT_URL_STS: '{{metadata}}/sts', AWS_ENDPOINT_URL_BEDROCK_RUNTIME: '{{endpoint}}', AWS_REGION: 'us-west-2' },
    files: { token: 'web-identity-token' },
    expect: { reached: 'emulator', region: 'us-west-2', accessKeyId: 'AKIDSTS', attempts: 1 } },
  { name: 'a profile assuming a role from a source profile',
    env: { AWS_ENDPOINT_URL_STS: '{{metadata}}/sts', AWS_ENDPOINT_URL_BEDROCK_RUNTIME: '{{endpoint}}' },
    config: '[default]\nregion = eu-west-1\nrole_arn = arn:aws:iam::123456789012:role/matrix\nsource_profile = base\n[profile base]\nregion = eu-west-1\n',
    credentials: `[base]\n${iniKeys(KEYS.other)}`,
    expect: { reached: 'emulator', region: 'eu-west-1', accessKeyId: 'AKIDSTS', attempts: 1 } },
  { name: 'IMDS credentials and region, last in their chains', imds: true,
    env: { AWS_EC2_METADATA_SERVICE_ENDPOINT: '{{metadata}}', AWS_ENDPOINT_URL: '{{endpoint}}' },
    expect: { reached: 'emulator', region: 'ap-southeast-3', accessKeyId: 'AKIDIMDS', attempts: 1 } },
  // Attempts
  { name: 'AWS_MAX_ATTEMPTS', env: { AWS_MAX_ATTEMPTS: '2', AWS_ENDPOINT_URL: '{{endpoint}}', AWS_REGION: 'us-west-2', ...envKeys },
    behavior: { fault: 'internalError' }, expect: { reached: 'emulator', region: 'us-west-2', accessKeyId: 'AKIDENV', attempts: 2 } },
  { name: 'profile max_attempts', env: { AWS_ENDPOINT_URL: '{{endpoint}}', AWS_REGION: 'us-west-2', ...envKeys },
    config: '[default]\nmax_attempts = 4\n', behavior: { fault: 'internalError' },
    expect: { reached: 'emulator', region: 'us-west-2', accessKeyId: 'AKIDENV', attempts: 4 } },
  { name: 'clientConfig.maxAttempts beats AWS_MAX_ATTEMPTS', env: { AWS_MAX_ATTEMPTS: '3', AWS_ENDPOINT_URL: '{{endpoint}}', AWS_REGION: 'us-west-2', ...envKeys },
    clientConfig: { maxAttempts: 1 }, behavior: { fault: 'internalError' },
    expect: { reached: 'emulator', region: 'us-west-2', accessKeyId: 'AKIDENV', attempts: 1 } },
  { name: 'an AWS_MAX_ATTEMPTS that is not a number falls through to the profile',
    env: { AWS_MAX_ATTEMPTS: 'many', AWS_ENDPOINT_URL: '{{endpoint}}', AWS_REGION: 'us-west-2', ...envKeys },
    config: '[default]\nmax_attempts = 2\n', behavior: { fault: 'internalError' },
    expect: { reached: 'emulator', region: 'us-west-2', accessKeyId: 'AKIDENV', attempts: 2 } },
  { name: 'AWS_RETRY_MODE=adaptive keeps the attempt count', env: { AWS_RETRY_MODE: 'adaptive', AWS_MAX_ATTEMPTS: '2', AWS_ENDPOINT_URL: '{{endpoint}}', AWS_REGION: 'us-west-2', ...envKeys },
    behavior: { fault: 'internalError' }, expect: { reached: 'emulator', region: 'us-west-2', accessKeyId: 'AKIDENV', attempts: 2 } },
  // FIPS and dual-stack: the resolved hosts are not reachable; the DNS failure names them.
  { name: 'AWS_USE_FIPS_ENDPOINT', env: { AWS_USE_FIPS_ENDPOINT: 'true', AWS_REGION: 'us-east-1', AWS_MAX_ATTEMPTS: '1', ...envKeys },
    expect: { reached: 'bedrock-runtime-fips.us-east-1.amazonaws.com' } },
  { name: 'profile use_dualstack_endpoint', env: envKeys, config: '[default]\nregion = us-west-2\nuse_dualstack_endpoint = true\nmax_attempts = 1\n',
    expect: { reached: 'bedrock-runtime.us-west-2.api.aws' } },
  { name: 'clientConfig FIPS and dual-stack together', env: { AWS_REGION: 'us-east-1', ...envKeys },
    clientConfig: { useFipsEndpoint: true, useDualstackEndpoint: true, maxAttempts: 1 },
    expect: { reached: 'bedrock-runtime-fips.us-east-1.api.aws' } },
  { name: 'clientConfig.useFipsEndpoint false beats AWS_USE_FIPS_ENDPOINT', env: { AWS_USE_FIPS_ENDPOINT: 'true', AWS_REGION: 'us-east-1', ...envKeys },
    clientConfig: { useFipsEndpoint: false, maxAttempts: 1 }, expect: { reached: 'bedrock-runtime.us-east-1.amazonaws.com' } },
  { name: 'FIPS with a configured endpoint is refused by the endpoint rules',
    env: { AWS_USE_FIPS_ENDPOINT: 'true', AWS_ENDPOINT_URL: '{{endpoint}}', AWS_REGION: 'us-east-1', ...envKeys },
    expect: { error: 'EndpointError: Invalid Configuration: FIPS and custom endpoint are not supported' } },
  { name: 'a FIPS pseudo-region', env: { AWS_REGION: 'fips-us-west-2', AWS_MAX_ATTEMPTS: '1', ...envKeys },
    expect: { reached: 'bedrock-runtime-fips.us-west-2.amazonaws.com' } },
  // Bearer-token auth (the emulator checks SigV4, so it refuses these calls; the request it saw counts)
  { name: 'AWS_BEARER_TOKEN_BEDROCK replaces SigV4 with the bearer token',
    env: { AWS_BEARER_TOKEN_BEDROCK: 'matrix-token', AWS_ENDPOINT_URL: '{{endpoint}}', AWS_REGION: 'us-west-2', ...envKeys },
    expect: { reached: 'emulator', auth: 'Bearer matrix-token', attempts: 1 } },
  // User agent: the app id (in user-agent only) and customUserAgent (in both), escaped
  { name: 'AWS_SDK_UA_APP_ID', env: { AWS_SDK_UA_APP_ID: 'env-app', AWS_ENDPOINT_URL: '{{endpoint}}', AWS_REGION: 'us-west-2', ...envKeys },
    expect: { reached: 'emulator', region: 'us-west-2', accessKeyId: 'AKIDENV', attempts: 1, userAgent: 'app/env-app', xAmzUserAgent: '' } },
  { name: 'profile sdk_ua_app_id', env: { AWS_ENDPOINT_URL: '{{endpoint}}', AWS_REGION: 'us-west-2', ...envKeys },
    config: '[default]\nsdk_ua_app_id = profile-app\n',
    expect: { reached: 'emulator', region: 'us-west-2', accessKeyId: 'AKIDENV', attempts: 1, userAgent: 'app/profile-app', xAmzUserAgent: '' } },
  { name: 'clientConfig.userAgentAppId beats AWS_SDK_UA_APP_ID', env: { AWS_SDK_UA_APP_ID: 'env-app', AWS_ENDPOINT_URL: '{{endpoint}}', AWS_REGION: 'us-west-2', ...envKeys },
    clientConfig: { userAgentAppId: 'explicit-app' },
    expect: { reached: 'emulator', region: 'us-west-2', accessKeyId: 'AKIDENV', attempts: 1, userAgent: 'app/explicit-app', xAmzUserAgent: '' } },
  { name: 'customUserAgent as a string beside clientConfig.userAgentAppId, both escaped',
    env: { AWS_SDK_UA_APP_ID: 'env-app', AWS_ENDPOINT_URL: '{{endpoint}}', AWS_REGION: 'us-west-2', ...envKeys },
    clientConfig: { customUserAgent: 'my-tool/1.0 (beta)#2 ü', userAgentAppId: 'team app/π 😀' },
    expect: { reached: 'emulator', region: 'us-west-2', accessKeyId: 'AKIDENV', attempts: 1,
      userAgent: 'app/team-app----- my-tool/1.0--beta--2--', xAmzUserAgent: 'my-tool/1.0--beta--2--' } },
  { name: 'customUserAgent pairs beside AWS_SDK_UA_APP_ID',
    env: { AWS_SDK_UA_APP_ID: 'env app#1', AWS_ENDPOINT_URL: '{{endpoint}}', AWS_REGION: 'us-west-2', ...envKeys },
    clientConfig: { customUserAgent: [['tool', '2.0 rc/1'], ['framework/Next JS', '14#3'], ['api/MyLayer', null], ['plain']] },
    expect: { reached: 'emulator', region: 'us-west-2', accessKeyId: 'AKIDENV', attempts: 1,
      userAgent: 'app/env-app#1 tool/2.0-rc-1 framework/Next-JS#14#3 api/mylayer plain',
      xAmzUserAgent: 'tool/2.0-rc-1 framework/Next-JS#14#3 api/mylayer plain' } },
  { name: 'customUserAgent pairs with empty parts beside profile sdk_ua_app_id',
    env: { AWS_ENDPOINT_URL: '{{endpoint}}', AWS_REGION: 'us-west-2', ...envKeys }, config: '[default]\nsdk_ua_app_id = profile.app\n',
    clientConfig: { customUserAgent: [['', 'only-version'], ['/x', 'y'], ['n', '']] },
    expect: { reached: 'emulator', region: 'us-west-2', accessKeyId: 'AKIDENV', attempts: 1,
      userAgent: 'app/profile.app only-version x/y n', xAmzUserAgent: 'only-version x/y n' } },
  // TLS trust
  { name: 'a test CA through NODE_EXTRA_CA_CERTS, over HTTPS',
    env: { NODE_EXTRA_CA_CERTS: '{{ca}}', AWS_ENDPOINT_URL: '{{tls}}', AWS_REGION: 'us-west-2', ...envKeys }, overTls: true,
    expect: { reached: 'emulator', region: 'us-west-2', accessKeyId: 'AKIDENV', attempts: 1 } },
  { name: 'without the test CA, HTTPS fails on both', env: { AWS_ENDPOINT_URL: '{{tls}}', AWS_REGION: 'us-west-2', AWS_MAX_ATTEMPTS: '1', ...envKeys },
    expect: {} },
  // Node trusts its bundled roots, not the system store, unless told to (so the native
  // client must not trust a CA that only the system store holds).
  { name: 'the test CA in the system store only (SSL_CERT_FILE): HTTPS fails on both',
    env: { SSL_CERT_FILE: '{{ca}}', AWS_ENDPOINT_URL: '{{tls}}', AWS_REGION: 'us-west-2', AWS_MAX_ATTEMPTS: '1', ...envKeys },
    expect: {} },
  { name: 'the test CA in the system store with NODE_OPTIONS=--use-openssl-ca, over HTTPS',
    env: { NODE_OPTIONS: '--use-openssl-ca', SSL_CERT_FILE: '{{ca}}', AWS_ENDPOINT_URL: '{{tls}}', AWS_REGION: 'us-west-2', ...envKeys }, overTls: true,
    expect: { reached: 'emulator', region: 'us-west-2', accessKeyId: 'AKIDENV', attempts: 1 } },
];

/** A test CA and a localhost certificate it signed, made with the openssl CLI. */
function makeTestCa(dir: string): { ca: string; key: string; cert: string } {
  const run = (args: string[]) => {
    const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`openssl ${args[0]} failed (is the openssl CLI installed?): ${r.error ?? r.stderr}`);
  };
  run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=config-matrix test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  run(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost']);
  fs.writeFileSync(path.join(dir, 'server.ext'), 'subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
  run(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'server.ext']);
  const read = (f: string) => fs.readFileSync(path.join(dir, f), 'utf8');
  return { ca: path.join(dir, 'ca.pem'), key: read('server.key'), cert: read('server.pem') };
}

/** HTTPS in front of the emulator: TLS terminated here, bytes passed through unchanged. */
function startTlsProxy(target: URL, key: string, cert: string, onSecureConnection: () => void): Promise<tls.Server> {
  const server = tls.createServer({ key, cert, ALPNProtocols: ['h2', 'http/1.1'] }, (socket) => {
    onSecureConnection();
    const upstream = net.connect(Number(target.port), target.hostname);
    socket.pipe(upstream).pipe(socket);
    const close = () => { socket.destroy(); upstream.destroy(); };
    socket.on('error', close);
    upstream.on('error', close);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** STS's AssumeRole and AssumeRoleWithWebIdentity (query protocol), answering with the STS keys. */
function sts(req: http.IncomingMessage, res: http.ServerResponse) {
  let body = '';
  req.on('data', (d) => (body += d));
  req.on('end', () => {
    const action = new URLSearchParams(body).get('Action') ?? '';
    if (action !== 'AssumeRole' && action !== 'AssumeRoleWithWebIdentity') return res.writeHead(400).end(`unexpected ${action}`);
    if (action === 'AssumeRoleWithWebIdentity' && new URLSearchParams(body).get('WebIdentityToken') !== 'web-identity-token') return res.writeHead(403).end('bad token');
    const expiration = new Date(Date.now() + 3600_000).toISOString();
    res.writeHead(200, { 'content-type': 'text/xml' }).end(
      `<${action}Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><${action}Result>` +
      `<Credentials><AccessKeyId>${KEYS.sts[0]}</AccessKeyId><SecretAccessKey>${KEYS.sts[1]}</SecretAccessKey>` +
      `<SessionToken>sts-session</SessionToken><Expiration>${expiration}</Expiration></Credentials>` +
      '<AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/matrix/matrix</Arn><AssumedRoleId>AROAMATRIX:matrix</AssumedRoleId></AssumedRoleUser>' +
      `</${action}Result><ResponseMetadata><RequestId>sts-request</RequestId></ResponseMetadata></${action}Response>`);
  });
}

/**
 * STS (under /sts), a container credentials endpoint (which wants the Pod Identity token) and an IMDSv2
 * (token, role, role credentials, placement region), on loopback.
 */
function startMetadataServer(): Promise<http.Server> {
  const expiration = () => new Date(Date.now() + 3600_000).toISOString();
  const server = http.createServer((req, res) => {
    const send = (status: number, body: string) => res.writeHead(status).end(body);
    const url = req.url ?? '';
    if (url === '/container-credentials') {
      if (req.headers.authorization !== 'pod-identity-token') return send(401, 'no token');
      return send(200, JSON.stringify({ AccessKeyId: KEYS.container[0], SecretAccessKey: KEYS.container[1], Token: 'container-session', Expiration: expiration() }));
    }
    if (url.startsWith('/sts')) return sts(req, res);
    if (url === '/latest/api/token' && req.method === 'PUT') {
      // As the real IMDS does: the Rust SDK's client refuses a token without its TTL.
      return res.writeHead(200, { 'x-aws-ec2-metadata-token-ttl-seconds': '21600' }).end('imds-token');
    }
    if (req.headers['x-aws-ec2-metadata-token'] !== 'imds-token') return send(401, 'no token');
    if (url === '/latest/meta-data/placement/region') return send(200, 'ap-southeast-3');
    if (url === '/latest/meta-data/iam/security-credentials/') return send(200, 'matrix-role');
    if (url === '/latest/meta-data/iam/security-credentials/matrix-role') {
      return send(200, JSON.stringify({ Code: 'Success', Type: 'AWS-HMAC', AccessKeyId: KEYS.imds[0], SecretAccessKey: KEYS.imds[1], Token: 'imds-session', Expiration: expiration() }));
    }
    return send(404, 'not found');
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

interface SideResult { ok: boolean; name?: string; message?: string }

/** Sections each SDK writes itself, at the start of both user-agent headers. */
const SDK_SECTION = /^(?:aws-sdk-[a-z]+\/|ua\/|os\/|lang\/|md\/|api\/|exec-env\/|m\/)/;

/**
 * The caller's sections of a user-agent header: what follows the SDK's own leading ones
 * (their names differ between the SDKs; the caller's must be the same).
 */
function callerSections(header: string | undefined): string {
  const sections = (header ?? '').split(' ');
  const first = sections.findIndex((section) => !SDK_SECTION.test(section));
  return first < 0 ? '' : sections.slice(first).join(' ');
}

/** One matrix case in a child process with `env` as its whole environment. */
async function runCase(env: Record<string, string>, arg: object): Promise<{ js: SideResult; native: SideResult; transport: string }> {
  const run = await runNode(CHILD, [JSON.stringify(arg)], 60_000, { env });
  try {
    return JSON.parse(run.stdout);
  } catch {
    throw new Error(`child exited ${run.code}: ${run.stderr.slice(0, 2000)}`);
  }
}

describe('configuration matrix: the native client resolves what the JS SDK resolves', () => {
  const emulator = startEmulator({
    credentials: Object.values(KEYS).map(([accessKeyId, secretAccessKey]) => ({ accessKeyId, secretAccessKey })),
  });
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'config-matrix-'));
  let proxy: tls.Server;
  let tlsEndpoint = '';
  let caFile = '';
  let tlsConnections = 0;
  let metadata: http.Server;
  let metadataEndpoint = '';

  beforeAll(async () => {
    const { ca, key, cert } = makeTestCa(scratch);
    caFile = ca;
    proxy = await startTlsProxy(new URL(emulator.endpoint), key, cert, () => tlsConnections++);
    tlsEndpoint = `https://localhost:${(proxy.address() as net.AddressInfo).port}`;
    metadata = await startMetadataServer();
    metadataEndpoint = `http://127.0.0.1:${(metadata.address() as net.AddressInfo).port}`;
  });

  afterAll(async () => {
    proxy?.close();
    metadata?.close();
    await emulator.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('has at least 25 cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(25);
  });

  /** What the emulator saw of one side's call, or where the call failed. */
  function observe(side: SideResult, modelId: string) {
    const received = emulator.requests().filter((r) => r.modelId === modelId);
    if (received.length === 0) {
      // Both SDKs name the host a DNS lookup failed for (the JS SDK in a "caused by").
      const dnsFailure = /getaddrinfo ENOTFOUND ([^\s)]+)/.exec(side.message ?? '');
      return side.ok ? { reached: 'nowhere?' } : { reached: dnsFailure?.[1], error: `${side.name}: ${side.message}` };
    }
    const first = received[0];
    const authorization = first.headers.authorization ?? '';
    const scope = /Credential=([^/]+)\/\d+\/([^/]+)\//.exec(authorization);
    return {
      reached: 'emulator',
      auth: authorization.startsWith('AWS4-HMAC-SHA256 ') ? 'sigv4' : authorization,
      region: scope?.[2],
      accessKeyId: first.accessKeyId as string,
      attempts: received.length,
      userAgent: callerSections(first.headers['user-agent']),
      xAmzUserAgent: callerSections(first.headers['x-amz-user-agent']),
      signaturesValid: received.every((r) => r.signatureVerified),
    };
  }

  it.each(CASES.map((c, i) => [c.name, c, i] as const))('%s', async (_name, c, i) => {
    const home = path.join(scratch, `home-${i}`);
    fs.mkdirSync(path.join(home, '.aws'), { recursive: true });
    const fill = (text: string) => text
      .replaceAll('{{endpoint}}', emulator.endpoint)
      .replaceAll('{{tls}}', tlsEndpoint)
      .replaceAll('{{ca}}', caFile)
      .replaceAll('{{metadata}}', metadataEndpoint)
      .replaceAll('{{home}}', home)
      .replaceAll('{{node}}', process.execPath);
    if (c.config) fs.writeFileSync(path.join(home, '.aws', 'config'), fill(c.config));
    if (c.credentials) fs.writeFileSync(path.join(home, '.aws', 'credentials'), fill(c.credentials));
    for (const [file, text] of Object.entries(c.files ?? {})) {
      fs.mkdirSync(path.dirname(path.join(home, file)), { recursive: true });
      fs.writeFileSync(path.join(home, file), fill(text));
    }
    const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: home };
    if (!c.imds) env.AWS_EC2_METADATA_DISABLED = 'true';
    for (const [k, v] of Object.entries(c.env ?? {})) env[k] = fill(v);
    const clientConfig = JSON.parse(fill(JSON.stringify(c.clientConfig ?? {})));
    const jsModelId = `matrix.case-${i}-js:0`;
    const nativeModelId = `matrix.case-${i}-native:0`;
    for (const id of [jsModelId, nativeModelId]) emulator.setBehavior(id, c.behavior ?? {});

    const connectionsBefore = tlsConnections;
    const result = await runCase(env, { clientConfig, jsModelId, nativeModelId });
    if (c.overTls) expect(tlsConnections - connectionsBefore).toBeGreaterThanOrEqual(2);
    expect(result.transport).toBe('native');
    const js = observe(result.js, jsModelId);
    const native = observe(result.native, nativeModelId);
    // The same observation from both clients, and the one the case names (so that both
    // being wrong the same way cannot pass). Failure messages are compared where the case
    // names one: TLS and DNS libraries word theirs differently.
    const comparable = (o: object) => (c.expect.error === undefined ? { ...o, error: undefined } : o);
    expect(comparable(native)).toEqual(comparable(js));
    expect(js).toMatchObject(c.expect);
    if ('signaturesValid' in js && js.auth === 'sigv4') expect(js.signaturesValid).toBe(true);
    if (c.expect.reached === undefined) {
      expect(result.js.ok).toBe(false);
      expect(result.native.ok).toBe(false);
    }
  }, 90_000);
});

describe('settings the native client takes only as plain values', () => {
  /** The transport a BedrockModel picks for `clientConfig`, and what NODE_DEBUG said, in a clean process. */
  function transportFor(clientConfigSource: string): { transport: string; debug: string } {
    const script = `
      const { BedrockModel } = require(${JSON.stringify(path.join(__dirname, '..'))});
      const model = new BedrockModel({ modelId: 'm', weight: 1, isFallback: false }, undefined, undefined, undefined, ${clientConfigSource});
      process.stdout.write(model.transport);
      model.destroy();`;
    const r = spawnSync(process.execPath, ['-e', script], {
      env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), NODE_DEBUG: 'bedrock-model-multiplexer' },
      encoding: 'utf8',
    });
    return { transport: r.stdout, debug: r.stderr };
  }

  it('takes profile, FIPS, dual-stack, app id, customUserAgent and ignoreConfiguredEndpointUrls natively', () => {
    const { transport, debug } = transportFor(
      "{ region: 'us-east-1', profile: 'p', useFipsEndpoint: true, useDualstackEndpoint: false, userAgentAppId: 'app', " +
      "customUserAgent: [['tool', '1'], ['plain', null]], ignoreConfiguredEndpointUrls: true }",
    );
    expect(transport).toBe('native');
    expect(debug).not.toContain('cannot honour');
  });

  it.each([
    ["{ region: 'us-east-1', useFipsEndpoint: async () => true }", 'clientConfig.useFipsEndpoint (a provider)'],
    ["{ region: 'us-east-1', userAgentAppId: async () => 'app' }", 'clientConfig.userAgentAppId (a provider)'],
    ["{ region: async () => 'us-east-1' }", 'clientConfig.region (a provider)'],
    ["{ region: 'us-east-1', useDualstackEndpoint: 'yes' }", 'clientConfig.useDualstackEndpoint (a string)'],
    ["{ region: 'us-east-1', customUserAgent: [['tool', 2]] }", 'clientConfig.customUserAgent (not a string or [name, version] string pairs)'],
    ["{ region: 'us-east-1', customUserAgent: { name: 'tool' } }", 'clientConfig.customUserAgent (not a string or [name, version] string pairs)'],
  ])('sends %s through the JS SDK and names it under NODE_DEBUG', (config, named) => {
    const { transport, debug } = transportFor(config);
    expect(transport).toBe('js-sdk');
    expect(debug).toContain(`the native client cannot honour ${named}`);
  });
});

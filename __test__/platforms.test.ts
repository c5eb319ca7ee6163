// Per-platform binaries: the npm/ packages agree with napi.targets, and where no binary
// loads the package fails with one error that names the platform and what to do.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.join(__dirname, '..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

type LoadResult = { loaded: true } | { loaded: false; message: string; causes: string[] };

/** Requires the package in a child Node that reports the given platform and arch. */
function loadAs(platform: string, arch: string, env: NodeJS.ProcessEnv = {}): LoadResult {
  const script = `
    Object.defineProperty(process, 'platform', { value: ${JSON.stringify(platform)} });
    Object.defineProperty(process, 'arch', { value: ${JSON.stringify(arch)} });
    let result;
    try {
      require(${JSON.stringify(root)});
      result = { loaded: true };
    } catch (error) {
      const causes = [];
      for (let cause = error.cause; cause; cause = cause.cause) causes.push(String(cause.message));
      result = { loaded: false, message: error.message, causes };
    }
    process.stdout.write(JSON.stringify(result));
  `;
  const child = spawnSync(process.execPath, ['-e', script], {
    cwd: root,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (child.status !== 0) throw new Error(`child exited ${child.status} ${child.signal}: ${child.stderr}`);
  return JSON.parse(child.stdout);
}

/** napi-rs's package suffix for a Rust target triple. */
function platformOf(triple: string) {
  const [cpu, , system, abi] = triple.split('-');
  const arch = ({ x86_64: 'x64', aarch64: 'arm64' } as Record<string, string>)[cpu];
  const platform = ({ linux: 'linux', darwin: 'darwin', windows: 'win32' } as Record<string, string>)[system];
  const suffix = abi === undefined ? '' : `-${abi}`; // gnu, musl, msvc; none for darwin
  return { name: `${platform}-${arch}${suffix}`, platform, arch, libc: platform === 'linux' ? abi : undefined };
}

// A supported platform other than the one running the tests, so its binary is surely absent.
const otherSupported = process.platform === 'win32' ? { platform: 'darwin', arch: 'arm64' } : { platform: 'win32', arch: 'x64' };
const otherName = otherSupported.platform === 'win32' ? 'win32-x64-msvc' : 'darwin-arm64';

describe('per-platform packages', () => {
  it('has an npm/ package for every napi target, listed in optionalDependencies at the same version', () => {
    const targets: string[] = manifest.napi.targets;
    expect(targets.length).toBeGreaterThanOrEqual(7);
    const expectedDirs = targets.map((triple) => platformOf(triple).name).sort();
    expect(fs.readdirSync(path.join(root, 'npm')).sort()).toEqual(expectedDirs);
    expect(Object.keys(manifest.optionalDependencies).sort()).toEqual(
      expectedDirs.map((name) => `${manifest.name}-${name}`).sort(),
    );
    for (const triple of targets) {
      const { name, platform, arch, libc } = platformOf(triple);
      const binaryPackage = JSON.parse(fs.readFileSync(path.join(root, 'npm', name, 'package.json'), 'utf8'));
      expect(binaryPackage.name).toBe(`${manifest.name}-${name}`);
      expect(binaryPackage.version).toBe(manifest.version);
      expect(manifest.optionalDependencies[binaryPackage.name]).toBe(manifest.version);
      expect(binaryPackage.os).toEqual([platform]);
      expect(binaryPackage.cpu).toEqual([arch]);
      expect(binaryPackage.libc).toEqual(libc === undefined ? undefined : [libc === 'gnu' ? 'glibc' : 'musl']);
      expect(binaryPackage.main).toBe(`${manifest.napi.binaryName}.${name}.node`);
      expect(binaryPackage.files).toEqual([binaryPackage.main]);
    }
  });
});

describe('loading where no binary loads', () => {
  it('on a platform without a prebuilt binary, names it, the ones that exist, and how to build one', () => {
    const result = loadAs('freebsd', 'x64');
    expect(result.loaded).toBe(false);
    if (result.loaded) return;
    expect(result.message).toContain('cannot load its native addon on freebsd-x64');
    expect(result.message).toContain('There is no prebuilt binary for freebsd-x64');
    for (const triple of manifest.napi.targets) expect(result.message).toContain(platformOf(triple).name);
    expect(result.message).toContain('npm run build');
    expect(result.message).toContain('NAPI_RS_NATIVE_LIBRARY_PATH');
    // napi's own loader error stays reachable as the cause.
    expect(result.causes[0]).toContain('Cannot find native binding');
  });

  it('on a supported platform whose optional package is missing, names the package to install', () => {
    const result = loadAs(otherSupported.platform, otherSupported.arch);
    expect(result.loaded).toBe(false);
    if (result.loaded) return;
    expect(result.message).toContain(`cannot load its native addon on ${otherName}`);
    expect(result.message).toContain(`npm install ${manifest.name}-${otherName}@${manifest.version}`);
    expect(result.message).not.toContain('no prebuilt binary');
  });

  it('when the platform package is installed but its binary does not load, says so and keeps the reason', () => {
    const modules = fs.mkdtempSync(path.join(os.tmpdir(), 'bmm-platforms-'));
    try {
      const binaryPackage = `${manifest.name}-${otherName}`;
      const dir = path.join(modules, binaryPackage);
      fs.mkdirSync(dir);
      const main = `${manifest.napi.binaryName}.${otherName}.node`;
      fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: binaryPackage, version: manifest.version, main }));
      fs.writeFileSync(path.join(dir, main), 'not a shared object');
      const result = loadAs(otherSupported.platform, otherSupported.arch, { NODE_PATH: modules });
      expect(result.loaded).toBe(false);
      if (result.loaded) return;
      expect(result.message).toContain(`${binaryPackage} is installed but its binary did not load`);
      expect(result.causes.join('\n')).toContain(main);
    } finally {
      fs.rmSync(modules, { recursive: true, force: true });
    }
  });

  it('loads on this machine', () => {
    expect(loadAs(process.platform, process.arch)).toEqual({ loaded: true });
  });
});

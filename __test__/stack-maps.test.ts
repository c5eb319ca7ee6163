import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// Guards __test__/setup/stack-maps-use-real-random.js: with Math.random pinned
// to 0, formatting a stack through a large source map must not overflow.
describe('stack formatting under a pinned Math.random', () => {
  let dir: string;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bmm-stack-maps-'));
    const lines = Array.from({ length: 40_000 }, (_, i) => `export const value${i}: number = ${i};`);
    lines.push('export function fail(): Error { return new Error("from a large module"); }');
    fs.writeFileSync(path.join(dir, 'large-module.ts'), lines.join('\n'));
  });

  afterAll(() => {
    jest.restoreAllMocks();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('maps the frames without recursing once per mapping', () => {
    const random = jest.spyOn(Math, 'random').mockReturnValue(0);
    const { fail } = require(path.join(dir, 'large-module.ts'));
    const error: Error = fail();
    expect(error.stack).toContain('large-module.ts:40001');
    expect(random).not.toHaveBeenCalled();
  });
});

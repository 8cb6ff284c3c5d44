import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isMountInfoParseError, parseMountInfo, parseMountInfoLine, unescapeOctal } from './mountinfo.ts';
import { parseMountOptions } from './options.ts';

describe('parseMountInfo', () => {
  it('parses the example line of proc(5)', () => {
    const mp = parseMountInfoLine(
      '36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue',
    );
    assert.deepEqual(mp, {
      id: 36,
      parentId: 35,
      major: 98,
      minor: 0,
      root: '/mnt1',
      path: '/mnt2',
      type: 'ext3',
      device: '/dev/root',
      opts: ['rw', 'noatime', 'errors=continue'],
      mountOptions: ['rw', 'noatime'],
      optionalFields: ['master:1'],
      superOptions: ['rw', 'errors=continue'],
    });
  });

  const cases: { name: string; line: string; check: Partial<Record<string, unknown>> }[] = [
    {
      name: 'decodes an escaped space, tab, newline and backslash in the mount point',
      line: '50 27 0:40 / /tmp/a\\040b\\011c\\012d\\134e rw,relatime - tmpfs tmpfs rw',
      check: { path: '/tmp/a b\tc\nd\\e' },
    },
    {
      name: 'decodes escapes in the root and the source',
      line: '51 27 0:40 /sub\\040dir /x rw - tmpfs my\\040src rw',
      check: { root: '/sub dir', device: 'my src' },
    },
    {
      name: 'reads a line without optional fields',
      line: '25 24 0:23 / /dev/shm rw,relatime - tmpfs tmpfs rw,size=24684084k',
      check: { optionalFields: [], opts: ['rw', 'relatime', 'size=24684084k'] },
    },
    {
      name: 'reads several optional fields',
      line: '60 27 0:41 / /mnt/x rw shared:7 master:3 propagate_from:2 unbindable - tmpfs tmpfs rw',
      check: { optionalFields: ['shared:7', 'master:3', 'propagate_from:2', 'unbindable'] },
    },
    {
      name: 'accepts an empty source',
      line: '61 27 0:42 / /mnt/y rw - tmpfs  rw,size=1k',
      check: { device: '', superOptions: ['rw', 'size=1k'] },
    },
    {
      name: 'keeps the deleted marker of a removed mount point',
      line: '62 27 0:43 / /mnt/z\\040(deleted) rw - tmpfs tmpfs rw',
      check: { path: '/mnt/z (deleted)' },
    },
    {
      name: 'shows a read-only bind of a read-write filesystem as ro',
      line: '63 27 0:39 /a /tmp/b ro,relatime - tmpfs tmpfs rw,size=1024k',
      check: { opts: ['ro', 'relatime', 'size=1024k'], root: '/a' },
    },
    {
      name: 'keeps a separator-looking path in the mount point field',
      line: '64 27 0:44 / - rw - tmpfs tmpfs rw',
      check: { path: '-', type: 'tmpfs' },
    },
    {
      name: 'keeps SELinux context options with commas in quotes',
      line: '65 27 0:45 / /c rw - tmpfs tmpfs rw,context="system_u:object_r:container_file_t:s0:c1,c2"',
      check: { superOptions: ['rw', 'context="system_u:object_r:container_file_t:s0:c1', 'c2"'] },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const mp = parseMountInfoLine(c.line) as unknown as Record<string, unknown>;
      for (const [k, v] of Object.entries(c.check)) assert.deepEqual(mp[k], v, k);
    });
  }

  it('skips blank lines and parses every other line', () => {
    const text = '22 1 0:21 / /proc rw - proc proc rw\n\n23 1 0:22 / /sys rw - sysfs sysfs rw\n';
    assert.deepEqual(
      parseMountInfo(text).map((m) => m.path),
      ['/proc', '/sys'],
    );
  });

  it('rejects a line with too few fields', () => {
    assert.throws(
      () => parseMountInfo('22 1 0:21 / /proc rw - proc'),
      (err: unknown) =>
        isMountInfoParseError(err) &&
        err.message === 'wrong number of fields (expected at least 10, got 8): 22 1 0:21 / /proc rw - proc',
    );
  });

  it('rejects a line without the separator', () => {
    assert.throws(() => parseMountInfoLine('22 1 0:21 / /proc rw a b c d'), isMountInfoParseError);
  });

  it('rejects a bad device number', () => {
    assert.throws(() => parseMountInfoLine('22 1 zero / /proc rw - proc proc rw'), isMountInfoParseError);
    for (const dev of ['0:', ':21', '0:2x', '-1:0', '0:21:3', '0::21'])
      assert.throws(
        () => parseMountInfoLine(`22 1 ${dev} / /proc rw - proc proc rw`),
        isMountInfoParseError,
        dev,
      );
  });

  it('parses a table with blank lines or without a final newline alike', () => {
    const a = '22 1 0:21 / /proc rw - proc proc rw';
    const b = '23 1 0:22 / /sys rw shared:2 - sysfs sysfs rw';
    assert.deepEqual(parseMountInfo(`${a}\n\n${b}`), parseMountInfo(`${a}\n${b}\n`));
    assert.deepEqual(
      parseMountInfo(`${a}\n${b}\n`).map((m) => [m.id, m.path, m.optionalFields]),
      [
        [22, '/proc', []],
        [23, '/sys', ['shared:2']],
      ],
    );
  });

  it("parses this machine's own table", async () => {
    const { readFile } = await import('node:fs/promises');
    const mps = parseMountInfo(await readFile('/proc/self/mountinfo', 'utf8'));
    assert.ok(mps.some((m) => m.path === '/'));
  });

  it('leaves text without escapes alone', () => {
    assert.equal(unescapeOctal('/plain'), '/plain');
    assert.equal(unescapeOctal('\\999'), '\\999');
  });
});

describe('parseMountOptions', () => {
  const MS_RDONLY = 1;
  const cases: {
    name: string;
    in: string[];
    flags?: number;
    data?: string;
    bind?: boolean;
    recursive?: boolean;
    remount?: boolean;
    propagation?: number[];
  }[] = [
    { name: 'nothing', in: [], flags: 0, data: '' },
    { name: 'ro, nosuid, nodev, noexec', in: ['ro', 'nosuid', 'nodev', 'noexec'], flags: 0xf, data: '' },
    { name: 'a later rw cancels ro', in: ['ro', 'rw'], flags: 0, data: '' },
    { name: 'relatime and noatime', in: ['relatime,noatime'], flags: 0x200000 | 0x400 },
    { name: 'tmpfs data', in: ['size=64m', 'mode=0755'], flags: 0, data: 'size=64m,mode=0755' },
    { name: 'bind with ro', in: ['bind', 'ro'], flags: MS_RDONLY, bind: true, recursive: false },
    { name: 'rbind', in: ['rbind'], flags: 0, bind: true, recursive: true },
    { name: 'remount', in: ['remount', 'ro'], flags: MS_RDONLY, remount: true },
    {
      name: 'fstab-only options are dropped',
      in: ['defaults', 'noauto', '_netdev', 'x-systemd.foo', 'nofail'],
      data: '',
    },
    { name: 'propagation', in: ['rshared', 'private'], propagation: [0x100000 | 0x4000, 0x40000] },
    {
      name: 'quoted SELinux context stays one option',
      in: ['context="system_u:object_r:container_file_t:s0:c1,c2",ro'],
      flags: MS_RDONLY,
      data: 'context="system_u:object_r:container_file_t:s0:c1,c2"',
    },
  ];
  for (const c of cases) {
    it(`parses ${c.name}`, () => {
      const p = parseMountOptions(c.in);
      if (c.flags !== undefined) assert.equal(p.flags, c.flags);
      if (c.data !== undefined) assert.equal(p.data, c.data);
      if (c.bind !== undefined) assert.equal(p.bind, c.bind);
      if (c.recursive !== undefined) assert.equal(p.recursive, c.recursive);
      if (c.remount !== undefined) assert.equal(p.remount, c.remount);
      if (c.propagation !== undefined) assert.deepEqual(p.propagation, c.propagation);
    });
  }
});

// gitRepo against a real local repository made with `git init` and two commits in a temp dir: clone
// with and without revision and directory, the readiness marker, the deprecation event, fsGroup,
// validation messages, git failures and teardown through the emptyDir wrapper.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Pod } from '../../api/index.ts';
import { FakeRecorder } from '../../client/testing/index.ts';
import { FakeVolumeHost } from '../testing/index.ts';
import { FakeMounter } from '../util/mount/index.ts';
import type { Spec } from '../volume.ts';
import { specFromVolume } from '../volume.ts';
import {
  GitRepoDeprecatedReason,
  GitRepoPlugin,
  gitRepoDeprecationMessage,
  gitRepoDisabledMessage,
  isGitRepoDisabledError,
  isGitRepoSetupError,
  isGitRepoValidationError,
  probeVolumePlugins,
} from './index.ts';

const root = mkdtempSync(join(tmpdir(), 'kvol-gitrepo-'));
after(() => rmSync(root, { recursive: true, force: true }));

const git = (cwd: string, ...args: string[]): string =>
  execFileSync('git', ['-c', 'user.name=kvol', '-c', 'user.email=kvol@example.invalid', ...args], {
    cwd,
    encoding: 'utf8',
  }).trim();

const repo = join(root, 'upstream', 'site');
let firstCommit = '';
let seq = 0;

before(() => {
  mkdirSync(repo, { recursive: true });
  git(repo, 'init', '-q', '-b', 'main');
  writeFileSync(join(repo, 'index.html'), 'v1\n');
  git(repo, 'add', '.');
  git(repo, 'commit', '-q', '-m', 'first');
  firstCommit = git(repo, 'rev-parse', 'HEAD');
  writeFileSync(join(repo, 'index.html'), 'v2\n');
  git(repo, 'commit', '-q', '-am', 'second');
});

function pod(uid: string): Pod {
  return {
    metadata: { name: `web-${uid}`, namespace: 'default', uid },
    spec: { containers: [{ name: 'c', image: 'nginx' }] },
  } as Pod;
}

function gitSpec(src: { repository: string; revision?: string; directory?: string }, name = 'src'): Spec {
  return specFromVolume({ name, gitRepo: src });
}

async function setup(opts: ConstructorParameters<typeof GitRepoPlugin>[0] = {}) {
  const rootDir = join(root, `kubelet-${seq++}`);
  const recorder = new FakeRecorder();
  const host = new FakeVolumeHost({ rootDir, mounter: new FakeMounter(), recorder });
  const plugin = new GitRepoPlugin(opts);
  assert.deepEqual(await host.initPlugins([plugin]), []);
  return { host, plugin, recorder, rootDir };
}

describe('gitRepo volumes', () => {
  it('clone the repository into a directory named after it and mark the volume ready', async () => {
    const { plugin, recorder, rootDir } = await setup();
    const m = plugin.newMounter(gitSpec({ repository: repo }), pod('p1'), {});
    await m.setUp({});
    assert.equal(m.getPath(), join(rootDir, 'pods', 'p1', 'volumes', 'kubernetes.io~git-repo', 'src'));
    assert.equal(readFileSync(join(m.getPath(), 'site', 'index.html'), 'utf8'), 'v2\n');
    assert.ok(existsSync(join(rootDir, 'pods', 'p1', 'plugins', 'kubernetes.io~git-repo', 'src', 'ready')));
    assert.ok(
      existsSync(join(rootDir, 'pods', 'p1', 'plugins', 'kubernetes.io~empty-dir', 'wrapped_src', 'ready')),
    );
    assert.deepEqual(recorder.events, [`Warning ${GitRepoDeprecatedReason} ${gitRepoDeprecationMessage}`]);
    assert.equal(recorder.recorded[0]?.object.metadata.uid, 'p1');

    // Ready: a second setup neither clones again nor warns again.
    rmSync(join(m.getPath(), 'site'), { recursive: true });
    await m.setUp({});
    assert.equal(existsSync(join(m.getPath(), 'site')), false);
    assert.equal(recorder.events.length, 1);
  });

  it('check out a revision in the volume directory itself when directory is "."', async () => {
    const { plugin } = await setup();
    const m = plugin.newMounter(
      gitSpec({ repository: repo, revision: firstCommit, directory: '.' }),
      pod('p2'),
      {},
    );
    await m.setUp({});
    assert.equal(readFileSync(join(m.getPath(), 'index.html'), 'utf8'), 'v1\n');
    assert.equal(git(m.getPath(), 'rev-parse', 'HEAD'), firstCommit);
  });

  it('check out a revision in the named directory and apply fsGroup', async () => {
    const { plugin } = await setup();
    const m = plugin.newMounter(
      gitSpec({ repository: repo, revision: firstCommit, directory: 'checkout' }),
      pod('p3'),
      {},
    );
    await m.setUp({ fsGroup: 4321 });
    const file = join(m.getPath(), 'checkout', 'index.html');
    assert.equal(readFileSync(file, 'utf8'), 'v1\n');
    assert.equal(statSync(file).gid, 4321);
    assert.equal(statSync(file).mode & 0o060, 0o060);
  });

  it('check out a revision in the one directory the clone created when no directory is given', async () => {
    const { plugin } = await setup();
    const m = plugin.newMounter(gitSpec({ repository: repo, revision: firstCommit }), pod('p4'), {});
    await m.setUp({});
    assert.equal(git(join(m.getPath(), 'site'), 'rev-parse', 'HEAD'), firstCommit);
  });

  it('refuse to guess the clone when the volume holds more than one entry', async () => {
    const { plugin } = await setup();
    const m = plugin.newMounter(gitSpec({ repository: repo, revision: firstCommit }), pod('p5'), {});
    mkdirSync(m.getPath(), { recursive: true });
    writeFileSync(join(m.getPath(), 'stray'), '');
    await assert.rejects(m.setUp({}), (err: unknown) => {
      assert.ok(isGitRepoSetupError(err));
      assert.equal(err.message, 'unexpected directory contents: [site stray]');
      return true;
    });
  });

  it('report a failed clone with the command, git output and exit status, and stay not ready', async () => {
    const { plugin, rootDir } = await setup();
    const missing = join(root, 'no-such-repo');
    const m = plugin.newMounter(gitSpec({ repository: missing }), pod('p6'), {});
    await assert.rejects(m.setUp({}), (err: unknown) => {
      assert.ok(isGitRepoSetupError(err));
      assert.equal(err.command, `git clone -- ${missing}`);
      assert.equal(err.exitCode, 128);
      assert.match(
        err.message,
        new RegExp(`^failed to exec 'git clone -- ${missing}': .*: exit status 128$`, 's'),
      );
      assert.match(err.output, /does not exist/);
      return true;
    });
    assert.equal(
      existsSync(join(rootDir, 'pods', 'p6', 'plugins', 'kubernetes.io~git-repo', 'src', 'ready')),
      false,
    );
  });

  it('report a revision that does not exist', async () => {
    const { plugin } = await setup();
    const m = plugin.newMounter(
      gitSpec({ repository: repo, revision: 'no-such-rev', directory: '.' }),
      pod('p7'),
      {},
    );
    await assert.rejects(
      m.setUp({}),
      /GitRepoSetupError: failed to exec 'git checkout no-such-rev': .*exit status 1$/s,
    );
  });

  it('report a missing git binary as upstream does', async () => {
    const { plugin } = await setup({ gitCommand: 'kvol-no-such-git' });
    const m = plugin.newMounter(gitSpec({ repository: repo }), pod('p8'), {});
    await assert.rejects(
      m.setUp({}),
      new RegExp(
        `GitRepoSetupError: failed to exec 'git clone -- ${repo}': : exec: "kvol-no-such-git": executable file not found in \\$PATH$`,
      ),
    );
  });

  it('report a repository git cannot even be started with instead of crashing', async () => {
    const { plugin } = await setup();
    const m = plugin.newMounter(gitSpec({ repository: 'bad\u0000repo' }), pod('p11'), {});
    await assert.rejects(m.setUp({}), (err: unknown) => isGitRepoSetupError(err));
  });

  it('refuse to set up when the GitRepoVolumeDriver feature gate is off', async () => {
    const { plugin, recorder } = await setup({ enabled: false });
    const m = plugin.newMounter(gitSpec({ repository: repo }), pod('p9'), {});
    await assert.rejects(m.setUp({}), (err: unknown) => {
      assert.ok(isGitRepoDisabledError(err));
      assert.equal(err.message, gitRepoDisabledMessage);
      return true;
    });
    assert.deepEqual(recorder.events, []);
  });

  it('tear down through the emptyDir, removing the clone', async () => {
    const { plugin } = await setup();
    const m = plugin.newMounter(gitSpec({ repository: repo }), pod('p10'), {});
    await m.setUp({});
    await plugin.newUnmounter('src', 'p10').tearDown();
    assert.equal(existsSync(m.getPath()), false);
  });

  const invalid: [string, { repository: string; revision?: string; directory?: string }, string][] = [
    [
      'a repository that looks like a flag',
      { repository: '--upload-pack=touch /tmp/x' },
      '"--upload-pack=touch /tmp/x" is an invalid value for repository',
    ],
    [
      'a revision that looks like a flag',
      { repository: repo, revision: '-b' },
      '"-b" is an invalid value for revision',
    ],
    [
      'a directory that looks like a flag',
      { repository: repo, directory: '-x' },
      '"-x" is an invalid value for directory',
    ],
    [
      'a directory with ..',
      { repository: repo, directory: 'a/../../b' },
      `"a/../../b" is an invalid value for directory: must not contain '..'`,
    ],
    [
      'an absolute directory',
      { repository: repo, directory: '/etc' },
      '"/etc" is an invalid value for directory: must be a relative path',
    ],
    [
      'a repository path with ..',
      { repository: '/var/lib/kubelet/pods/../x' },
      `"/var/lib/kubelet/pods/../x" is an invalid value for repository: must not contain '..'`,
    ],
    [
      'a nested directory with a revision',
      { repository: repo, revision: 'main', directory: 'a/b' },
      '"a/b" is not a valid directory, it must not contain a directory separator',
    ],
  ];
  for (const [what, src, message] of invalid) {
    it(`reject ${what}`, async () => {
      const { plugin } = await setup();
      assert.throws(
        () => plugin.newMounter(gitSpec(src), pod('px'), {}),
        (err: unknown) => {
          assert.ok(isGitRepoValidationError(err));
          assert.equal(err.message, message);
          return true;
        },
      );
    });
  }

  it('accept a nested directory without a revision', async () => {
    const { plugin } = await setup();
    assert.doesNotThrow(() =>
      plugin.newMounter(gitSpec({ repository: repo, directory: 'a/b' }), pod('py'), {}),
    );
  });

  it('name volumes by repository, revision and directory, and reconstruct a bare spec', async () => {
    const [plugin] = probeVolumePlugins();
    assert.ok(plugin);
    assert.equal(plugin.name, 'kubernetes.io/git-repo');
    const spec = gitSpec({ repository: 'https://example.com/r.git', revision: 'abc', directory: 'd' });
    assert.equal(plugin.getVolumeName(spec), 'https://example.com/r.git:abc:d');
    assert.equal(plugin.canSupport(spec), true);
    assert.equal(plugin.canSupport(specFromVolume({ name: 'x', emptyDir: {} })), false);
    const r = await plugin.constructVolumeSpec('src', '/pods/x/volumes/kubernetes.io~git-repo/src');
    assert.deepEqual(r.spec.volume, { name: 'src', gitRepo: { repository: '' } });
    assert.equal(plugin.requiresRemount(spec), false);
  });
});

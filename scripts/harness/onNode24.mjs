// `node scripts/harness/onNode24.mjs <node arguments…>`: runs Node with those arguments on the
// harness's Node 24 when it is installed (npm test installs it), else on this Node. The unit
// tests and the benches need node:sqlite (Node 22.13+), which an older system Node lacks.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { NODE24, REPO } from './common.mjs';

const node = existsSync(NODE24) ? NODE24 : process.execPath;
const child = spawn(node, process.argv.slice(2), { cwd: REPO, stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

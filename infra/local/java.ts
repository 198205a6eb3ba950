import { spawnSync } from 'node:child_process';

/** DynamoDB Local is a Java program: check for Java 17+ and say how to get it when missing. */
export function checkJava(): { ok: true; version: number } | { ok: false; message: string } {
  const out = spawnSync('java', ['-version'], { encoding: 'utf8' });
  const howTo =
    'Install Java 17 or newer: on Debian/Ubuntu `sudo apt-get install -y openjdk-17-jre-headless`, ' +
    'on macOS `brew install openjdk@17`, on Windows the Microsoft Build of OpenJDK 17.';
  if (out.error || out.status !== 0) {
    return { ok: false, message: `Java was not found, and DynamoDB Local needs it. ${howTo}` };
  }
  const text = `${out.stderr}${out.stdout}`;
  const match = text.match(/version "(\d+)(?:\.(\d+))?/);
  const major = match ? (match[1] === '1' ? Number(match[2]) : Number(match[1])) : Number.NaN;
  if (!(major >= 17)) {
    return { ok: false, message: `DynamoDB Local needs Java 17 or newer; found "${text.split('\n')[0]}". ${howTo}` };
  }
  return { ok: true, version: major };
}

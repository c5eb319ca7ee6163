'use strict';
// Readers for /proc: CPU ticks of another process (the emulator, whose CPU must not
// count as the client's) and this process's memory high-water mark. Linux only, which
// is what the bench targets; each reader returns null instead of throwing elsewhere.

const fs = require('node:fs');
const { execFileSync } = require('node:child_process');

let clockTicks = null;

/** Kernel clock ticks per second (USER_HZ), for /proc/PID/stat's utime and stime. */
function ticksPerSecond() {
  if (clockTicks === null) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100; // what every Linux build in practice uses
    }
  }
  return clockTicks;
}

/** User + system CPU seconds of a process (all its threads), or null. */
function processCpuSeconds(pid) {
  return cpuSecondsIn(`/proc/${pid}/stat`);
}

/** User + system CPU seconds of one thread of a process (`tid` = `pid`: its main thread), or null. */
function threadCpuSeconds(pid, tid) {
  return cpuSecondsIn(`/proc/${pid}/task/${tid}/stat`);
}

/** User + system CPU seconds a /proc `stat` file records (a process's or a thread's), or null. */
function cpuSecondsIn(statFile) {
  try {
    const stat = fs.readFileSync(statFile, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state); utime is field 14, stime field 15.
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond();
  } catch {
    return null;
  }
}

/** Busy CPU seconds of the whole machine (all cores) from /proc/stat, or null. */
function systemBusySeconds() {
  try {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n', 1)[0];
    // cpu user nice system idle iowait irq softirq steal ...: busy = all but idle and iowait.
    const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
    return (user + nice + system + irq + softirq + (steal || 0)) / ticksPerSecond();
  } catch {
    return null;
  }
}

/** A field of /proc/self/status in MB (VmHWM = peak RSS, VmRSS = current RSS), or null. */
function selfStatusMB(field) {
  try {
    const status = fs.readFileSync('/proc/self/status', 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** Peak RSS in MB: VmHWM, or resourceUsage().maxRSS where /proc is missing. */
function peakRssMB() {
  return selfStatusMB('VmHWM') ?? process.resourceUsage().maxRSS / 1024;
}

/** Current RSS in MB. */
function rssMB() {
  return selfStatusMB('VmRSS') ?? process.memoryUsage.rss() / (1024 * 1024);
}

module.exports = { ticksPerSecond, processCpuSeconds, threadCpuSeconds, systemBusySeconds, peakRssMB, rssMB };

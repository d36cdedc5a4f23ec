//! What the kernel says about a process: CPU time and resident memory, from `/proc`.

use std::fs;

/// Clock ticks per second of `/proc/<pid>/stat` times. Linux has used 100 on every common
/// architecture for decades; `getconf CLK_TCK` would need libc.
const TICKS_PER_SEC: f64 = 100.0;

/// User and system CPU time of `pid` so far, in seconds.
pub fn cpu_split(pid: &str) -> Option<(f64, f64)> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may contain spaces; the fields we want come after its closing paren.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // After the paren: state is field 3 of the full line, utime is 14 and stime 15.
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime / TICKS_PER_SEC, stime / TICKS_PER_SEC))
}

/// Resident set size of `pid`, in bytes.
pub fn rss_bytes(pid: &str) -> Option<u64> {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// The soft limit on open files of this process (the servers it starts inherit it).
pub fn open_files_limit() -> Option<u64> {
    let limits = fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

/// A CPU-time reading of one process, to take the difference of two.
#[derive(Clone, Copy)]
pub struct CpuMark {
    pub cpu: f64,
    pub sys: f64,
    pub at: std::time::Instant,
}

impl CpuMark {
    pub fn now(pid: &str) -> CpuMark {
        let (user, sys) = cpu_split(pid).unwrap_or((0.0, 0.0));
        CpuMark {
            cpu: user + sys,
            sys,
            at: std::time::Instant::now(),
        }
    }

    /// The share of the CPU time since `self` spent in the kernel.
    pub fn sys_share(&self, pid: &str) -> f64 {
        let now = CpuMark::now(pid);
        let cpu = now.cpu - self.cpu;
        if cpu <= 0.0 {
            0.0
        } else {
            (now.sys - self.sys) / cpu
        }
    }

    /// CPU seconds used since `self`, and the cores that is on average.
    pub fn since(&self, pid: &str) -> (f64, f64) {
        let now = CpuMark::now(pid);
        let cpu = (now.cpu - self.cpu).max(0.0);
        let wall = now.at.duration_since(self.at).as_secs_f64().max(1e-9);
        (cpu, cpu / wall)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_this_process() {
        assert!(cpu_split("self").is_some());
        assert!(rss_bytes("self").unwrap_or(0) > 0);
        assert!(open_files_limit().unwrap_or(0) > 0);
    }
}

//! Generates a realistic Master.csv: `cargo bench --bench gen_master_csv -- [PATH] [LINES]`.
//!
//! Default: 1,000,000 lines of the 21-column layout into `target/bench/Master.csv`, local times
//! one call every ~2 s, a mix of dispositions, caller names with quotes, commas and UTF-8, Local
//! channel pairs sharing a linkedid. Deterministic (fixed-seed xorshift), no dependencies.

use std::io::{BufWriter, Write};
use std::time::Instant;

const NAMES: [&str; 8] = [
    "Zoë \\\"The Boss\\\", Müller",
    "Smith, John",
    "O'Brien",
    "ACME \\\"Sales\\\"",
    "Łukasz Żółć",
    "",
    "Reception",
    "王小明",
];
const DISPOSITIONS: [(&str, u64); 5] =
    [("ANSWERED", 62), ("NO ANSWER", 20), ("BUSY", 8), ("FAILED", 6), ("CONGESTION", 4)];

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn quoted(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    for b in s.bytes() {
        if b == b'"' {
            out.push(b'"');
        }
        out.push(b);
    }
    out.extend_from_slice(b"\",");
}

/// `YYYY-MM-DD HH:MM:SS` of Unix seconds (proleptic Gregorian, H. Hinnant's civil_from_days).
fn stamp(epoch: i64) -> String {
    let (days, secs) = (epoch.div_euclid(86_400), epoch.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}", secs / 3600, secs % 3600 / 60, secs % 60)
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let path = args.first().cloned().unwrap_or_else(|| "target/bench/Master.csv".into());
    let lines: u64 = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(1_000_000);
    if let Some(dir) = std::path::Path::new(&path).parent() {
        std::fs::create_dir_all(dir)?;
    }
    let started = Instant::now();
    let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(&path)?);
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut line = Vec::with_capacity(512);
    let mut t = 1_767_225_600i64; // 2026-01-01 00:00:00
    for i in 0..lines {
        t += rng.below(4) as i64;
        let pick = rng.below(100);
        let mut acc = 0;
        let disposition = DISPOSITIONS
            .iter()
            .find(|(_, w)| {
                acc += w;
                pick < acc
            })
            .map_or("ANSWERED", |d| d.0);
        let src = format!("+4930{:07}", rng.below(10_000_000));
        let dst = format!("{}", 2000 + rng.below(900));
        let name = NAMES[rng.below(NAMES.len() as u64) as usize];
        let ring = rng.below(30) as i64;
        let talk = if disposition == "ANSWERED" { rng.below(900) as i64 } else { 0 };
        let uid = format!("{}.{}", t, i);
        line.clear();
        for s in ["", &src, &dst, "from-internal", &format!("\"{name}\" <{src}>")] {
            quoted(&mut line, s);
        }
        quoted(&mut line, &format!("PJSIP/{dst}-{:08x}", i));
        quoted(&mut line, &format!("PJSIP/trunk-{:08x}", i + 1));
        quoted(&mut line, "Dial");
        quoted(&mut line, &format!("PJSIP/{dst},30,tT"));
        quoted(&mut line, &stamp(t));
        if talk > 0 {
            quoted(&mut line, &stamp(t + ring))
        } else {
            line.push(b',')
        }
        quoted(&mut line, &stamp(t + ring + talk));
        line.extend_from_slice(format!("{},{},", ring + talk, talk).as_bytes());
        quoted(&mut line, disposition);
        quoted(&mut line, "DOCUMENTATION");
        quoted(&mut line, &uid);
        quoted(&mut line, if i % 50 == 0 { "vip, \"gold\"" } else { "" });
        quoted(&mut line, "");
        quoted(&mut line, &uid);
        line.extend_from_slice(format!("{}\n", i % 100_000).as_bytes());
        out.write_all(&line)?;
    }
    out.flush()?;
    let secs = started.elapsed().as_secs_f64();
    println!("wrote {lines} lines to {path} in {secs:.2} s ({:.0} lines/s)", lines as f64 / secs);
    Ok(())
}

//! `cargo run --release --example der -- [--collar S] [--one-speaker] REF.rttm [HYP.rttm] ...`
//! DER per pair and in total (pyannote.metrics' definition; collar of total width S, default
//! 0.25). Pairs are given as REF HYP REF HYP...; with `--one-speaker` only references are
//! given and each is scored against itself with every speaker merged into one (the
//! do-nothing baseline).

use rapporteur::eval::der::{Der, Turn, der, parse_rttm};

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut collar = 0.25;
    if let Some(i) = args.iter().position(|a| a == "--collar") {
        collar = args.get(i + 1).and_then(|c| c.parse().ok()).unwrap_or_else(|| usage());
        args.drain(i..i + 2);
    }
    let one_speaker = args.iter().any(|a| a == "--one-speaker");
    args.retain(|a| a != "--one-speaker");
    let read = |p: &str| parse_rttm(&std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{p}: {e}")));
    let pairs: Vec<(String, Vec<Turn>, Vec<Turn>)> = if one_speaker {
        args.iter()
            .map(|r| {
                let reference = read(r);
                let merged = reference.iter().map(|t| Turn { speaker: "one".into(), ..t.clone() }).collect();
                (r.clone(), reference, merged)
            })
            .collect()
    } else {
        if args.is_empty() || !args.len().is_multiple_of(2) {
            usage();
        }
        args.chunks(2).map(|p| (p[0].clone(), read(&p[0]), read(&p[1]))).collect()
    };
    let mut total = Der::default();
    println!("| reference | DER | missed | false alarm | confusion | scored |");
    println!("|---|---|---|---|---|---|");
    for (name, r, h) in &pairs {
        let d = der(r, h, collar);
        total.add(&d);
        let pct = |x: f64| 100.0 * x / d.scored.max(1e-9);
        println!(
            "| {name} | {:.1}% | {:.1}% | {:.1}% | {:.1}% | {:.1} s |",
            100.0 * d.rate(),
            pct(d.missed),
            pct(d.false_alarm),
            pct(d.confusion),
            d.scored
        );
    }
    println!("| total (collar {collar} s) | {:.1}% | | | | {:.1} s |", 100.0 * total.rate(), total.scored);
}

fn usage() -> ! {
    eprintln!("usage: der [--collar S] REF.rttm HYP.rttm [REF HYP ...] | der --one-speaker REF.rttm ...");
    std::process::exit(2)
}

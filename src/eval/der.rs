//! Diarization error rate, as pyannote.metrics computes it: missed speech + false alarm +
//! speaker confusion over the reference's speech time, overlapping speech scored, the
//! hypothesis' speakers mapped one-to-one onto the reference's to maximise their overlap, and
//! an optional collar of no-score time (total width: half before and half after every
//! reference boundary).

use std::collections::{BTreeMap, BTreeSet};

use pathfinding::prelude::{Matrix, kuhn_munkres};

#[derive(Debug, Clone, PartialEq)]
pub struct Turn {
    pub speaker: String,
    pub start: f64,
    pub end: f64,
}

/// `SPEAKER <uri> <channel> <start> <duration> <NA> <NA> <speaker> ...` lines; others ignored.
pub fn parse_rttm(text: &str) -> Vec<Turn> {
    text.lines()
        .filter_map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            if f.len() < 8 || f[0] != "SPEAKER" {
                return None;
            }
            let (start, duration) = (f[3].parse::<f64>().ok()?, f[4].parse::<f64>().ok()?);
            Some(Turn { speaker: f[7].to_string(), start, end: start + duration })
        })
        .collect()
}

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Der {
    /// Reference speech time scored (seconds, counting each overlapping speaker).
    pub scored: f64,
    pub missed: f64,
    pub false_alarm: f64,
    pub confusion: f64,
}

impl Der {
    pub fn rate(&self) -> f64 {
        if self.scored == 0.0 { 0.0 } else { (self.missed + self.false_alarm + self.confusion) / self.scored }
    }

    pub fn add(&mut self, other: &Der) {
        self.scored += other.scored;
        self.missed += other.missed;
        self.false_alarm += other.false_alarm;
        self.confusion += other.confusion;
    }
}

/// Elementary intervals where nobody starts or stops, outside the collar, with who speaks.
fn intervals<'a>(
    reference: &'a [Turn],
    hypothesis: &'a [Turn],
    collar: f64,
) -> Vec<(f64, BTreeSet<&'a str>, BTreeSet<&'a str>)> {
    let half = collar / 2.0;
    let excluded: Vec<(f64, f64)> = if half > 0.0 {
        reference.iter().flat_map(|t| [(t.start - half, t.start + half), (t.end - half, t.end + half)]).collect()
    } else {
        Vec::new()
    };
    let mut cuts: Vec<f64> = reference
        .iter()
        .chain(hypothesis)
        .flat_map(|t| [t.start, t.end])
        .chain(excluded.iter().flat_map(|(a, b)| [*a, *b]))
        .collect();
    cuts.sort_by(f64::total_cmp);
    cuts.dedup();
    let active = |turns: &'a [Turn], mid: f64| -> BTreeSet<&'a str> {
        turns.iter().filter(|t| t.start <= mid && mid < t.end).map(|t| t.speaker.as_str()).collect()
    };
    cuts.windows(2)
        .filter_map(|w| {
            let (a, b) = (w[0], w[1]);
            let mid = (a + b) / 2.0;
            if b <= a || excluded.iter().any(|(lo, hi)| *lo <= mid && mid < *hi) {
                return None;
            }
            Some((b - a, active(reference, mid), active(hypothesis, mid)))
        })
        .collect()
}

pub fn der(reference: &[Turn], hypothesis: &[Turn], collar: f64) -> Der {
    let parts = intervals(reference, hypothesis, collar);
    let refs: Vec<&str> = reference.iter().map(|t| t.speaker.as_str()).collect::<BTreeSet<_>>().into_iter().collect();
    let hyps: Vec<&str> = hypothesis.iter().map(|t| t.speaker.as_str()).collect::<BTreeSet<_>>().into_iter().collect();

    // The one-to-one mapping that maximises co-speaking time (in milliseconds).
    let n = refs.len().max(hyps.len()).max(1);
    let mut overlap = vec![0i64; n * n];
    for (d, r, h) in &parts {
        for rs in r {
            for hs in h {
                let (i, j) =
                    (refs.iter().position(|x| x == rs).unwrap_or(0), hyps.iter().position(|x| x == hs).unwrap_or(0));
                overlap[i * n + j] += (d * 1000.0).round() as i64;
            }
        }
    }
    let (_, assignment) = kuhn_munkres(&Matrix::from_vec(n, n, overlap).expect("a square matrix"));
    let mapping: BTreeMap<&str, &str> =
        refs.iter().enumerate().filter_map(|(i, r)| hyps.get(assignment[i]).map(|h| (*r, *h))).collect();

    let mut out = Der::default();
    for (d, r, h) in &parts {
        let (nr, nh) = (r.len() as f64, h.len() as f64);
        let correct = r.iter().filter(|rs| mapping.get(*rs).is_some_and(|hs| h.contains(hs))).count() as f64;
        out.scored += d * nr;
        out.missed += d * (nr - nh).max(0.0);
        out.false_alarm += d * (nh - nr).max(0.0);
        out.confusion += d * (nr.min(nh) - correct);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(speaker: &str, start: f64, end: f64) -> Turn {
        Turn { speaker: speaker.into(), start, end }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn parses_rttm() {
        let turns = parse_rttm(
            "SPEAKER s 1 1.50 2.25 <NA> <NA> A <NA> <NA>\n;; comment\nSPEAKER s 1 4 1 <NA> <NA> B <NA> <NA>\n",
        );
        assert_eq!(turns, vec![t("A", 1.5, 3.75), t("B", 4.0, 5.0)]);
    }

    #[test]
    fn renamed_speakers_score_zero() {
        let r = [t("A", 0.0, 5.0), t("B", 5.0, 10.0)];
        let h = [t("x", 0.0, 5.0), t("y", 5.0, 10.0)];
        let d = der(&r, &h, 0.0);
        assert!(close(d.rate(), 0.0) && close(d.scored, 10.0), "{d:?}");
    }

    #[test]
    fn each_error_kind() {
        // Missed: nothing said from 5 to 10.
        let d = der(&[t("A", 0.0, 10.0)], &[t("x", 0.0, 5.0)], 0.0);
        assert!(close(d.missed, 5.0) && close(d.rate(), 0.5), "{d:?}");
        // False alarm: speech claimed where there is none.
        let d = der(&[t("A", 0.0, 10.0)], &[t("x", 0.0, 12.0)], 0.0);
        assert!(close(d.false_alarm, 2.0) && close(d.rate(), 0.2), "{d:?}");
        // Confusion: one voice for two speakers.
        let d = der(&[t("A", 0.0, 6.0), t("B", 6.0, 10.0)], &[t("x", 0.0, 10.0)], 0.0);
        assert!(close(d.confusion, 4.0) && close(d.rate(), 0.4), "{d:?}");
    }

    #[test]
    fn overlap_is_scored_per_speaker() {
        // A and B both speak 2–4; the hypothesis has only A there: B is missed for 2 s.
        let d = der(&[t("A", 0.0, 4.0), t("B", 2.0, 6.0)], &[t("x", 0.0, 4.0), t("y", 4.0, 6.0)], 0.0);
        assert!(close(d.scored, 8.0) && close(d.missed, 2.0) && close(d.confusion, 0.0), "{d:?}");
    }

    #[test]
    fn the_collar_forgives_boundaries() {
        // The hypothesis' change is 0.1 s late: forgiven by a 0.25 s collar, not without one.
        let r = [t("A", 0.0, 5.0), t("B", 5.0, 10.0)];
        let h = [t("x", 0.0, 5.1), t("y", 5.1, 10.0)];
        assert!(close(der(&r, &h, 0.0).confusion, 0.1));
        let d = der(&r, &h, 0.25);
        assert!(close(d.rate(), 0.0), "{d:?}");
        assert!(close(d.scored, 10.0 - 0.125 * 2.0 - 0.25), "collar removed at 0, 5 (twice, one zone) and 10: {d:?}");
    }
}

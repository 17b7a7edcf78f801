//! Word error rate, the usual way: lower-case, drop punctuation, then Levenshtein distance
//! over words divided by the number of reference words.

pub use crate::text::normalize;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WerCounts {
    pub substitutions: usize,
    pub deletions: usize,
    pub insertions: usize,
    pub reference_words: usize,
}

impl WerCounts {
    pub fn errors(&self) -> usize {
        self.substitutions + self.deletions + self.insertions
    }
    pub fn wer(&self) -> f64 {
        if self.reference_words == 0 {
            return if self.errors() == 0 { 0.0 } else { 1.0 };
        }
        self.errors() as f64 / self.reference_words as f64
    }
}

pub fn counts(reference: &str, hypothesis: &str) -> WerCounts {
    let (r, h) = (normalize(reference), normalize(hypothesis));
    // dp[j] = (cost, subs, dels, ins) aligning r[..i] with h[..j].
    let mut prev: Vec<(usize, usize, usize, usize)> = (0..=h.len()).map(|j| (j, 0, 0, j)).collect();
    for i in 1..=r.len() {
        let mut cur = vec![(i, 0, i, 0)];
        for j in 1..=h.len() {
            let same = r[i - 1] == h[j - 1];
            let diag = prev[j - 1];
            let sub = (diag.0 + usize::from(!same), diag.1 + usize::from(!same), diag.2, diag.3);
            let del = (prev[j].0 + 1, prev[j].1, prev[j].2 + 1, prev[j].3);
            let ins = (cur[j - 1].0 + 1, cur[j - 1].1, cur[j - 1].2, cur[j - 1].3 + 1);
            cur.push([sub, del, ins].into_iter().min_by_key(|c| c.0).expect("three candidates"));
        }
        prev = cur;
    }
    let (_, substitutions, deletions, insertions) = prev[h.len()];
    WerCounts { substitutions, deletions, insertions, reference_words: r.len() }
}

pub fn wer(reference: &str, hypothesis: &str) -> f64 {
    counts(reference, hypothesis).wer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_each_error_kind() {
        assert_eq!(wer("a b c", "a b c"), 0.0);
        let c = counts("a b c d", "a x c d e");
        assert_eq!((c.substitutions, c.deletions, c.insertions), (1, 0, 1));
        let c = counts("a b c d", "a d");
        assert_eq!((c.substitutions, c.deletions, c.insertions), (0, 2, 0));
        assert_eq!(wer("a b c d", "a d"), 0.5);
        assert_eq!(wer("", "x"), 1.0);
    }
}

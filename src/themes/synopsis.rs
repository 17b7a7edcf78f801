//! Extractive synopsis: sentences ranked by how central they are among the others (TextRank,
//! a PageRank over word-overlap similarity, optionally biased towards sentences that matter
//! more), then picked best first, skipping any too like one already picked.

use std::collections::HashMap;

use super::text::content_stems;

/// Sentences as bags of content-word stems.
pub fn bags(texts: &[&str]) -> Vec<HashMap<String, f64>> {
    texts
        .iter()
        .map(|t| {
            let mut bag = HashMap::new();
            for s in content_stems(t) {
                *bag.entry(s).or_insert(0.0) += 1.0;
            }
            bag
        })
        .collect()
}

pub fn cosine(a: &HashMap<String, f64>, b: &HashMap<String, f64>) -> f64 {
    let dot: f64 = a.iter().filter_map(|(k, x)| b.get(k).map(|y| x * y)).sum();
    let norm = |v: &HashMap<String, f64>| v.values().map(|x| x * x).sum::<f64>().sqrt();
    let n = norm(a) * norm(b);
    if n == 0.0 { 0.0 } else { dot / n }
}

/// TextRank scores; `bias` (one weight per sentence, or empty for none) is where the random
/// surfer jumps to, so sentences that matter more pass on more.
pub fn rank(bags: &[HashMap<String, f64>], bias: &[f64]) -> Vec<f64> {
    const DAMPING: f64 = 0.85;
    let n = bags.len();
    if n == 0 {
        return Vec::new();
    }
    let total_bias: f64 = bias.iter().sum();
    let jump: Vec<f64> = if bias.len() == n && total_bias > 0.0 {
        bias.iter().map(|b| b / total_bias).collect()
    } else {
        vec![1.0 / n as f64; n]
    };
    let sim: Vec<Vec<f64>> =
        (0..n).map(|i| (0..n).map(|j| if i == j { 0.0 } else { cosine(&bags[i], &bags[j]) }).collect()).collect();
    let out: Vec<f64> = sim.iter().map(|row| row.iter().sum()).collect();
    let mut score = jump.clone();
    for _ in 0..50 {
        let next: Vec<f64> = (0..n)
            .map(|i| {
                let flow: f64 = (0..n).filter(|&j| out[j] > 0.0).map(|j| sim[j][i] / out[j] * score[j]).sum();
                // Sentences like no other give their share back through the jump.
                let dangling: f64 = (0..n).filter(|&j| out[j] == 0.0).map(|j| score[j]).sum();
                (1.0 - DAMPING) * jump[i] + DAMPING * (flow + dangling * jump[i])
            })
            .collect();
        let change: f64 = next.iter().zip(&score).map(|(a, b)| (a - b).abs()).sum();
        score = next;
        if change < 1e-9 {
            break;
        }
    }
    score
}

/// Indexes of at most `k` sentences, best ranked first, none more than `max_similarity` like
/// one already picked; returned in their original order.
pub fn pick(bags: &[HashMap<String, f64>], scores: &[f64], k: usize, max_similarity: f64) -> Vec<usize> {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
    let mut picked: Vec<usize> = Vec::new();
    for i in order {
        if picked.len() == k {
            break;
        }
        if picked.iter().all(|&p| cosine(&bags[p], &bags[i]) <= max_similarity) {
            picked.push(i);
        }
    }
    picked.sort_unstable();
    picked
}

/// The `k` sentences that best sum up `texts`, in order.
pub fn summarise(texts: &[&str], bias: &[f64], k: usize) -> Vec<usize> {
    let bags = bags(texts);
    let scores = rank(&bags, bias);
    pick(&bags, &scores, k, 0.5)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_central_sentence_ranks_first() {
        let texts = [
            "Shelters closed during the lockdowns.",
            "Traffickers recruited online during the lockdowns while shelters closed.",
            "Traffickers recruited online.",
            "The weather was fine.",
        ];
        let scores = rank(&bags(&texts), &[]);
        let best = (0..4).max_by(|&a, &b| scores[a].total_cmp(&scores[b])).unwrap();
        assert_eq!(best, 1);
        assert!(scores[3] < scores[0] && scores[3] < scores[2], "{scores:?}");
        assert!((scores.iter().sum::<f64>() - 1.0).abs() < 1e-6);
    }

    #[test]
    fn near_repeats_are_left_out() {
        let texts =
            ["Traffickers recruited online.", "Traffickers recruited people online.", "Employers kept passports."];
        let picked = summarise(&texts, &[], 2);
        assert_eq!(picked.len(), 2);
        assert!(picked.contains(&2) && !(picked.contains(&0) && picked.contains(&1)), "{picked:?}");
    }

    #[test]
    fn bias_moves_the_ranking() {
        let texts = ["Fees for recruitment.", "Recruitment agencies.", "Fees and agencies."];
        let even = rank(&bags(&texts), &[]);
        let biased = rank(&bags(&texts), &[10.0, 0.0, 0.0]);
        assert!(biased[0] > even[0]);
    }
}

//! Grouping speaker embeddings into speakers: average-linkage agglomerative clustering on
//! cosine distance (kodama), cut where clusters stop being alike or at the number of
//! speakers asked for; clusters too small to be a speaker join their nearest neighbour.

use super::embedding::{DIM, Embedding, cosine};

/// Bounds on the number of speakers, from `--speakers`, `--min-speakers`, `--max-speakers`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpeakerCount {
    pub min: usize,
    pub max: usize,
}

impl Default for SpeakerCount {
    fn default() -> Self {
        SpeakerCount { min: 1, max: usize::MAX }
    }
}

impl SpeakerCount {
    pub fn exactly(n: usize) -> SpeakerCount {
        SpeakerCount { min: n, max: n }
    }
}

pub struct Params {
    /// Merging stops when the closest clusters are further apart than this (1 − cosine).
    pub threshold: f64,
    /// A cluster with less speech than this (seconds), or than `min_share` of all the
    /// speech, is not a speaker of its own when the count is automatic.
    pub min_speech_s: f64,
    pub min_share: f64,
    /// A cluster with less speech than this is a voice of its own only when it is clearly
    /// different from its nearest cluster: cosine of their centroids below `same_voice`.
    /// A second or two of speech gives a noisy embedding, so a speaker's odd moment can
    /// land just outside their cluster, never far from it.
    pub few_s: f64,
    pub same_voice: f32,
}

/// One embedding with how much speech it stands for (its weight in centroids).
pub struct Item {
    pub embedding: Embedding,
    pub speech_s: f64,
}

/// A cluster label per item, numbered 0.. in order of first item.
pub fn cluster(items: &[Item], count: SpeakerCount, params: &Params) -> Vec<usize> {
    let n = items.len();
    if n == 0 {
        return vec![];
    }
    if n == 1 {
        return vec![0];
    }
    let mut condensed = Vec::with_capacity(n * (n - 1) / 2);
    for i in 0..n {
        for j in i + 1..n {
            condensed.push(1.0 - cosine(&items[i].embedding, &items[j].embedding) as f64);
        }
    }
    let dendrogram = kodama::linkage(&mut condensed, n, kodama::Method::Average);
    let steps = dendrogram.steps();

    // Union-find over the merge steps, applied until the cut.
    let max = count.max.min(n);
    let min = count.min.clamp(1, max);
    let mut merges = steps.iter().take_while(|s| s.dissimilarity <= params.threshold).count();
    merges = merges.clamp(n - max, n - min);
    let mut labels = labels_after(n, steps, merges);

    if count.min != count.max {
        let total: f64 = items.iter().map(|i| i.speech_s).sum();
        labels = absorb_small(items, labels, min, params.min_speech_s.max(params.min_share * total), params);
    }
    renumber(&labels)
}

/// Cluster of each item after the first `merges` steps of the dendrogram.
fn labels_after(n: usize, steps: &[kodama::Step<f64>], merges: usize) -> Vec<usize> {
    let mut parent: Vec<usize> = (0..2 * n).collect();
    fn root(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    for (i, s) in steps.iter().take(merges).enumerate() {
        parent[s.cluster1] = n + i;
        parent[s.cluster2] = n + i;
    }
    (0..n).map(|i| root(&mut parent, i)).collect()
}

/// The speech-weighted sum of the unit embeddings of the items labelled `label` (a direction;
/// `embedding::unit` makes it a voice).
pub fn centroid(items: &[Item], labels: &[usize], label: usize) -> Embedding {
    let mut c = [0f32; DIM];
    for (item, _) in items.iter().zip(labels).filter(|(_, l)| **l == label) {
        let norm = item.embedding.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-12);
        for (c, x) in c.iter_mut().zip(&item.embedding) {
            *c += x / norm * item.speech_s as f32;
        }
    }
    c
}

/// Clusters with little speech are more often a speaker's odd moments (laughter, a cough,
/// a channel change) than a speaker, so they join the nearest large cluster, keeping at
/// least `min` clusters: under `min_speech_s` always, under `few_s` unless clearly
/// different (see `Params::few_s`). Smallest first, as each join moves the centroids.
fn absorb_small(items: &[Item], mut labels: Vec<usize>, min: usize, min_speech_s: f64, params: &Params) -> Vec<usize> {
    loop {
        let mut speech: Vec<(usize, f64)> = Vec::new();
        for (item, &l) in items.iter().zip(&labels) {
            match speech.iter_mut().find(|(k, _)| *k == l) {
                Some((_, s)) => *s += item.speech_s,
                None => speech.push((l, item.speech_s)),
            }
        }
        if speech.len() <= min {
            return labels;
        }
        let nearest = |small: usize| {
            let c = centroid(items, &labels, small);
            speech
                .iter()
                .filter(|(l, _)| *l != small)
                .map(|(l, _)| (*l, cosine(&c, &centroid(items, &labels, *l))))
                .max_by(|a, b| a.1.total_cmp(&b.1))
                .expect("more than min ≥ 1 clusters")
        };
        let mut small: Vec<(usize, f64)> =
            speech.iter().copied().filter(|(_, s)| *s < params.few_s.max(min_speech_s)).collect();
        small.sort_by(|a, b| a.1.total_cmp(&b.1));
        let join = small.into_iter().find_map(|(l, s)| {
            let (to, similarity) = nearest(l);
            (s < min_speech_s || similarity >= params.same_voice).then_some((l, to))
        });
        let Some((small, to)) = join else { return labels };
        labels.iter_mut().filter(|l| **l == small).for_each(|l| *l = to);
    }
}

fn renumber(labels: &[usize]) -> Vec<usize> {
    let mut seen: Vec<usize> = Vec::new();
    labels
        .iter()
        .map(|l| match seen.iter().position(|s| s == l) {
            Some(i) => i,
            None => {
                seen.push(*l);
                seen.len() - 1
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Items around `k` orthogonal directions, with a little spread.
    fn items(groups: &[(usize, usize)]) -> Vec<Item> {
        let mut out = Vec::new();
        for &(dir, n) in groups {
            for i in 0..n {
                let mut e = [0f32; DIM];
                e[dir] = 1.0;
                e[100 + i % 50] = 0.2;
                out.push(Item { embedding: e, speech_s: 3.0 });
            }
        }
        out
    }

    const P: Params = Params { threshold: 0.5, min_speech_s: 5.0, min_share: 0.0, few_s: 0.0, same_voice: 1.0 };

    #[test]
    fn finds_the_number_of_speakers() {
        let labels = cluster(&items(&[(0, 5), (1, 4), (2, 6)]), SpeakerCount::default(), &P);
        assert_eq!(labels, [vec![0; 5], vec![1; 4], vec![2; 6]].concat());
    }

    #[test]
    fn honours_exact_min_and_max() {
        let it = items(&[(0, 5), (1, 4), (2, 6)]);
        let distinct = |l: Vec<usize>| l.iter().max().unwrap() + 1;
        assert_eq!(distinct(cluster(&it, SpeakerCount::exactly(2), &P)), 2);
        assert_eq!(distinct(cluster(&it, SpeakerCount { min: 1, max: 2 }, &P)), 2);
        assert_eq!(distinct(cluster(&it, SpeakerCount { min: 4, max: 9 }, &P)), 4);
    }

    #[test]
    fn a_tiny_cluster_joins_its_nearest_neighbour() {
        // One lone item (3 s of speech, under min_speech_s) leaning towards speaker 0.
        let mut it = items(&[(0, 5), (1, 5)]);
        let mut e = [0f32; DIM];
        e[0] = 0.4;
        e[7] = 1.0;
        it.push(Item { embedding: e, speech_s: 3.0 });
        let labels = cluster(&it, SpeakerCount::default(), &P);
        assert_eq!(labels[10], labels[0]);
        assert_eq!(labels.iter().max(), Some(&1));
        // The same when the bar is a share of all speech (3 s of 33 s is under 10%).
        let share = Params { min_speech_s: 0.0, min_share: 0.1, ..P };
        assert_eq!(cluster(&it, SpeakerCount::default(), &share), labels);
    }

    #[test]
    fn a_few_seconds_join_their_nearest_voice_unless_clearly_different() {
        // Two speakers of 15 s and a cluster of 2 s: above min_speech_s, under few_s.
        let few = Params { min_speech_s: 1.0, few_s: 4.0, same_voice: 0.34, ..P };
        let lone = |lean: f32| {
            let mut it = items(&[(0, 5), (1, 5)]);
            let mut e = [0f32; DIM];
            e[0] = lean;
            e[7] = 1.0;
            it.push(Item { embedding: e, speech_s: 2.0 });
            cluster(&it, SpeakerCount::default(), &few)
        };
        // Near speaker 0 (cosine about 0.45 with its centroid): joins it.
        let near = lone(0.5);
        assert_eq!(near[10], near[0]);
        assert_eq!(near.iter().max(), Some(&1));
        // Far from both (cosine about 0.1): a third voice, however short.
        let far = lone(0.1);
        assert_eq!(far[10], 2);
        // With more speech than few_s it stays a voice even when near.
        let mut it = items(&[(0, 5), (1, 5)]);
        let mut e = [0f32; DIM];
        e[0] = 0.5;
        e[7] = 1.0;
        it.push(Item { embedding: e, speech_s: 6.0 });
        assert_eq!(cluster(&it, SpeakerCount::default(), &few)[10], 2);
    }
}

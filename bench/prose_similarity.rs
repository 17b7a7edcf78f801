//! `cargo run --release --example prose_similarity -- SESSION_DIR...`: how close in meaning
//! (MiniLM cosine) the language model's point sentences are to the point they rewrite, against
//! how close they are to the session's other points: the evidence for `prose::SIMILAR`.

use rapporteur::models::catalog::{self, Kind};
use rapporteur::models::store::Store;
use rapporteur::themes::analysis::Analysis;
use rapporteur::themes::sentences::{SentenceEncoder, cosine};

fn main() {
    let store = Store::open(None);
    let path = |name| store.resolve(name, Kind::Sentences).expect("minilm installed").path;
    let encoder = SentenceEncoder::load(&path(catalog::MINILM), &path(catalog::MINILM_TOKENIZER)).unwrap();
    let (mut own, mut other) = (Vec::new(), Vec::new());
    for dir in std::env::args().skip(1) {
        let a = Analysis::read(std::path::Path::new(&dir)).expect("an analysis.json of this version");
        let prose = a.prose.as_ref().expect("written by the language model");
        let texts: Vec<&str> = a.points.iter().map(|p| p.point.text.as_str()).collect();
        let points = encoder.embed(&texts).unwrap();
        // Every sentence the model wrote for a point, kept or refused.
        let written: Vec<(usize, String)> = (prose.points.iter().enumerate())
            .filter_map(|(i, s)| Some((i, format!("The speaker {}", s.as_ref()?))))
            .chain(prose.refused.iter().filter(|r| r.points.len() == 1).map(|r| (r.points[0], r.text.clone())))
            .collect();
        for (i, s) in &written {
            let e = &encoder.embed(&[s.as_str()]).unwrap()[0];
            own.push(cosine(e, &points[*i]));
            other.extend((0..points.len()).filter(|j| j != i).map(|j| cosine(e, &points[j])));
        }
    }
    let show = |name: &str, v: &mut Vec<f32>| {
        v.sort_by(f32::total_cmp);
        let q = |f: f64| v[((v.len() - 1) as f64 * f) as usize];
        println!(
            "{name:32} n={:5} min {:.2}  5% {:.2}  median {:.2}  95% {:.2}  max {:.2}",
            v.len(),
            v[0],
            q(0.05),
            q(0.5),
            q(0.95),
            v[v.len() - 1]
        );
    };
    show("sentence vs the point it rewrites", &mut own);
    show("sentence vs the other points", &mut other);
    for t in [0.5, 0.55, 0.6, 0.65, 0.7] {
        let kept = own.iter().filter(|&&c| c >= t).count();
        let leak = other.iter().filter(|&&c| c >= t).count();
        println!("threshold {t:.2}: own kept {kept}/{}, other points passing {leak}/{}", own.len(), other.len());
    }
}

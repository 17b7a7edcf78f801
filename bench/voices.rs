//! Calibrates the voice-enrolment threshold on real speech: each reference speaker of each
//! recording is enrolled from their solo speech there (`Diarizer::voice`, as `rapporteur
//! speakers enroll` does), and compared with the voices the diarizer finds in every *other*
//! recording (as `run` does). A pair is genuine when the diarized speaker is mostly that person
//! (by overlap with the reference RTTM; speakers mixing people are left out), else an impostor
//! pair.
//!   cargo run --release --example voices -- REC.wav:REC.rttm ...
//! Prints every genuine score, the highest impostor scores and, for candidate thresholds,
//! false accepts and false rejects.

use rapporteur::diarize::embedding::cosine;
use rapporteur::diarize::{Diarizer, Params, cluster::SpeakerCount};
use rapporteur::eval::der::parse_rttm;

/// The share of a diarized speaker's speech that must be one reference speaker's.
const PURITY: f64 = 0.8;

struct Recording {
    name: String,
    /// (reference speaker, enrolled voice)
    enrolled: Vec<(String, Vec<f32>)>,
    /// (reference speaker most heard in it, diarized voice)
    diarized: Vec<(String, Vec<f32>)>,
}

fn main() -> anyhow::Result<()> {
    let diarizer = Diarizer::load()?;
    let store = rapporteur::models::store::Store::open(None);
    let vad_model = store.resolve(rapporteur::models::catalog::VAD, rapporteur::models::catalog::Kind::Vad)?;
    let mut vad = rapporteur::audio::vad::Vad::load(&vad_model.path, 1)?;
    let params = Params::default();
    let mut recs = Vec::new();
    for arg in std::env::args().skip(1) {
        let (wav, rttm) = arg.split_once(':').expect("REC.wav:REC.rttm");
        let (pcm, _) = rapporteur::audio::decode::decode(std::path::Path::new(wav))?;
        let reference = parse_rttm(&std::fs::read_to_string(rttm)?);
        let mut names: Vec<String> = reference.iter().map(|t| t.speaker.clone()).collect();
        names.sort();
        names.dedup();
        // Solo speech of each speaker: their turns minus everyone else's.
        let mut enrolled = Vec::new();
        for name in &names {
            let mut solo = Vec::new();
            for t in reference.iter().filter(|t| &t.speaker == name) {
                let mut pieces = vec![t.start..t.end];
                for o in reference.iter().filter(|o| &o.speaker != name) {
                    pieces = pieces
                        .into_iter()
                        .flat_map(|p| [p.start..p.end.min(o.start), p.start.max(o.end)..p.end])
                        .filter(|p| p.end - p.start > 0.3)
                        .collect();
                }
                solo.extend(pieces);
            }
            solo.sort_by(|a, b| a.start.total_cmp(&b.start));
            if solo.iter().map(|r| r.end - r.start).sum::<f64>() >= 3.0 {
                enrolled.push((name.clone(), diarizer.voice(&pcm, &solo)?.0.to_vec()));
            }
        }
        let probs = vad.probabilities(&pcm)?;
        let d = diarizer.diarize(&pcm, &params.speech(&probs), SpeakerCount::default(), &params, &|_| {})?;
        let diarized = (0..d.speakers)
            .map(|k| {
                let heard = |name: &str| -> f64 {
                    d.turns
                        .iter()
                        .filter(|t| t.speaker == k)
                        .flat_map(|t| {
                            reference
                                .iter()
                                .filter(move |r| r.speaker == name)
                                .map(move |r| (t.end.min(r.end) - t.start.max(r.start)).max(0.0))
                        })
                        .sum()
                };
                let who = names.iter().max_by(|a, b| heard(a).total_cmp(&heard(b))).cloned().unwrap_or_default();
                let purity = heard(&who) / names.iter().map(|n| heard(n)).sum::<f64>().max(1e-9);
                (who, purity, d.voices[k].to_vec())
            })
            // A diarized speaker mixing two people is neither pair; keep those mostly one.
            .filter(|(_, purity, _)| *purity >= PURITY)
            .map(|(who, _, v)| (who, v))
            .collect::<Vec<_>>();
        let name = std::path::Path::new(wav).file_stem().unwrap().to_string_lossy().into_owned();
        eprintln!(
            "{name}: {} enrolled, {} diarized, {} of them mostly one person",
            enrolled.len(),
            d.speakers,
            diarized.len()
        );
        recs.push(Recording { name, enrolled, diarized });
    }
    let (mut genuine, mut impostor) = (Vec::new(), Vec::new());
    for a in &recs {
        for b in recs.iter().filter(|b| b.name != a.name) {
            for (who, e) in &a.enrolled {
                for (heard, v) in &b.diarized {
                    let score = cosine(e, v);
                    if who == heard {
                        genuine.push((score, format!("{who}: {} → {}", a.name, b.name)));
                    } else {
                        impostor.push((score, format!("{who} ({}) vs {heard} ({})", a.name, b.name)));
                    }
                }
            }
        }
    }
    genuine.sort_by(|a, b| a.0.total_cmp(&b.0));
    impostor.sort_by(|a, b| b.0.total_cmp(&a.0));
    println!("genuine pairs ({}):", genuine.len());
    for (s, what) in &genuine {
        println!("  {s:.3}  {what}");
    }
    println!("highest impostor pairs (of {}):", impostor.len());
    for (s, what) in impostor.iter().take(5) {
        println!("  {s:.3}  {what}");
    }
    println!("| threshold | false accepts (of {}) | false rejects (of {}) |", impostor.len(), genuine.len());
    println!("|---|---|---|");
    for t in [0.35f32, 0.40, 0.45, 0.50, 0.55, 0.60, 0.65, 0.70] {
        let fa = impostor.iter().filter(|(s, _)| *s >= t).count();
        let fr = genuine.iter().filter(|(s, _)| *s < t).count();
        println!("| {t:.2} | {fa} | {fr} |");
    }
    Ok(())
}

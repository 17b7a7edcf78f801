//! A speech engine that reads a script instead of listening, so that the pipeline's own
//! logic (chunk mapping, the loop guard, language switches, translation, attribution) is
//! tested in milliseconds, without a model.
//!
//! `Script::audio` writes each scripted word into the recording as a run of one sample value
//! (its number), with silence between words; the engine reads the words back from whatever
//! audio a chunk or detection window hands it. Everything it returns therefore went through
//! the pipeline's cutting, joining and time mapping, as whisper's output would.

use super::engine::{DecodeOptions, SpeechEngine, SpeechWorker, Task, TranscribeError, Translation};
use crate::audio::{Pcm, SAMPLE_RATE, to_i16};
use crate::session::record::{Engine, Segment, Word, ms};
use crate::text::join_words;

/// The languages the scripted engine knows, in the order of its scores.
const LANGUAGES: [&str; 4] = ["en", "fr", "es", "de"];

/// How a line misbehaves, to exercise the loop guard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Loops {
    Never,
    /// Loops when decoded greedily, reads right at a higher temperature.
    Greedy,
    /// Loops at every temperature.
    Always,
}

/// One line of speech: its words, spread evenly over `start..end` on the recording's clock.
#[derive(Debug, Clone)]
pub struct Line {
    pub text: String,
    pub language: &'static str,
    pub start: f64,
    pub end: f64,
    pub loops: Loops,
}

impl Line {
    pub fn new(text: &str, language: &'static str, start: f64, end: f64) -> Line {
        Line { text: text.into(), language, start, end, loops: Loops::Never }
    }
}

/// A scripted word: its text, line, and time on the recording's clock.
#[derive(Debug, Clone, PartialEq)]
pub struct ScriptWord {
    pub text: String,
    pub line: usize,
    pub start: f64,
    pub end: f64,
}

#[derive(Debug, Clone)]
pub struct Script {
    pub lines: Vec<Line>,
}

/// Each word is sounded for this share of its slot; the rest is the pause before the next.
const SOUNDED: f64 = 0.8;

impl Script {
    /// Every word, in order.
    pub fn words(&self) -> Vec<ScriptWord> {
        let mut out = Vec::new();
        for (line, l) in self.lines.iter().enumerate() {
            let words: Vec<&str> = l.text.split_whitespace().collect();
            let slot = (l.end - l.start) / words.len().max(1) as f64;
            for (i, w) in words.iter().enumerate() {
                let start = l.start + i as f64 * slot;
                out.push(ScriptWord { text: w.to_string(), line, start, end: start + slot * SOUNDED });
            }
        }
        out
    }

    /// A recording of `seconds` in which word `k` is a run of the sample value `k + 1`.
    pub fn audio(&self, seconds: f64) -> Pcm {
        let n = (seconds * SAMPLE_RATE as f64) as usize;
        let mut samples = vec![0i16; n];
        let at = |t: f64| ((t * SAMPLE_RATE as f64) as usize).min(n);
        for (k, w) in self.words().iter().enumerate() {
            let code = i16::try_from(k + 1).expect("a script of fewer than 32767 words");
            samples[at(w.start)..at(w.end)].fill(code);
        }
        Pcm { samples }
    }

    /// What a voice activity detector would say: speech in every VAD frame a word sounds in.
    pub fn speech_probabilities(&self, pcm: &Pcm) -> Vec<f32> {
        pcm.samples
            .chunks(crate::audio::vad::FRAME)
            .map(|frame| if frame.iter().any(|&s| s != 0) { 0.95 } else { 0.02 })
            .collect()
    }
}

/// The scripted engine: multilingual, or English-only like `tiny.en`.
pub struct Scripted {
    words: Vec<ScriptWord>,
    lines: Vec<Line>,
    multilingual: bool,
}

impl Scripted {
    pub fn new(script: &Script, multilingual: bool) -> Scripted {
        Scripted { words: script.words(), lines: script.lines.clone(), multilingual }
    }

    /// The scripted words in `samples`, each with the offset (seconds) where it starts.
    fn heard(&self, samples: &[f32]) -> Vec<(usize, f64)> {
        let mut out: Vec<(usize, f64)> = Vec::new();
        let mut previous = 0;
        for (i, &x) in samples.iter().enumerate() {
            let code = to_i16(x);
            if code > 0 && code != previous {
                out.push((code as usize - 1, i as f64 / SAMPLE_RATE as f64));
            }
            previous = code;
        }
        out
    }
}

impl SpeechEngine for Scripted {
    fn engine(&self) -> Engine {
        Engine { name: "scripted".into(), version: "1".into() }
    }

    fn model_name(&self) -> &str {
        "script"
    }

    fn known_languages(&self) -> &[&'static str] {
        &LANGUAGES
    }

    fn is_multilingual(&self) -> bool {
        self.multilingual
    }

    fn worker(&self, _task: Task, _threads: usize) -> Result<Box<dyn SpeechWorker + '_>, TranscribeError> {
        Ok(Box::new(ScriptedWorker { engine: self }))
    }
}

struct ScriptedWorker<'a> {
    engine: &'a Scripted,
}

impl SpeechWorker for ScriptedWorker<'_> {
    /// One segment per scripted line heard; a line that loops at this temperature comes back
    /// as its first word said twelve times.
    fn decode(
        &mut self,
        samples: &[f32],
        to_recording: &dyn Fn(f64) -> f64,
        opts: &DecodeOptions,
        temperature: f32,
    ) -> Result<Vec<Segment>, TranscribeError> {
        let e = self.engine;
        let language = opts.language.clone().unwrap_or_else(|| "en".into());
        let mut segments: Vec<Segment> = Vec::new();
        for (k, offset) in e.heard(samples) {
            let word = &e.words[k];
            let start = ms(to_recording(offset));
            let duration = word.end - word.start;
            let w = Word {
                text: word.text.clone(),
                start,
                end: ms(to_recording(offset + duration)),
                probability: 0.9,
                speaker: None,
                overlap: vec![],
            };
            match segments.last_mut() {
                Some(s) if s.id == word.line => s.words.push(w),
                _ => segments.push(Segment {
                    id: word.line,
                    start,
                    end: start,
                    text: String::new(),
                    language: language.clone(),
                    translation: None,
                    translation_doubt: None,
                    speaker: None,
                    no_speech_prob: 0.0,
                    words: vec![w],
                    tokens: vec![],
                }),
            }
        }
        for s in &mut segments {
            let loops = match e.lines[s.id].loops {
                Loops::Never => false,
                Loops::Greedy => temperature == 0.0,
                Loops::Always => true,
            };
            if loops {
                let first = s.words[0].clone();
                s.words = vec![first; 12];
            }
            s.text = join_words(&s.words);
            s.end = s.words.last().map_or(s.start, |w| w.end);
        }
        for (i, s) in segments.iter_mut().enumerate() {
            s.id = i;
        }
        Ok(segments)
    }

    /// Each language's share of the scripted words heard (by their line's language).
    fn language_scores(&mut self, samples: &[f32]) -> Result<Vec<f32>, TranscribeError> {
        let e = self.engine;
        let heard = e.heard(samples);
        let mut scores = vec![0.0f32; LANGUAGES.len()];
        for (k, _) in &heard {
            let language = e.lines[e.words[*k].line].language;
            if let Some(i) = LANGUAGES.iter().position(|l| *l == language) {
                scores[i] += 1.0 / heard.len() as f32;
            }
        }
        Ok(scores)
    }

    fn translate(
        &mut self,
        samples: &[f32],
        language: &str,
        _opts: &DecodeOptions,
    ) -> Result<Translation, TranscribeError> {
        let e = self.engine;
        let words: Vec<&str> = e.heard(samples).iter().map(|(k, _)| e.words[*k].text.as_str()).collect();
        // Scripted words are heard for sure.
        Ok(Translation { text: format!("({language}) {}", words.join(" ")), probability: 1.0 })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diarize::{Diarization, Turn, attribute};
    use crate::transcribe::plan::PlanParams;
    use crate::transcribe::{self, Transcription, translate};

    fn run(script: &Script, seconds: f64, language: Option<&str>, among: &[&str]) -> (Transcription, Pcm) {
        run_planned(script, seconds, language, among, &PlanParams::default())
    }

    fn run_planned(
        script: &Script,
        seconds: f64,
        language: Option<&str>,
        among: &[&str],
        plan: &PlanParams,
    ) -> (Transcription, Pcm) {
        let pcm = script.audio(seconds);
        let probs = script.speech_probabilities(&pcm);
        let opts = DecodeOptions {
            language: language.map(String::from),
            among: among.iter().map(|l| l.to_string()).collect(),
            beam_size: 1,
            threads: 1,
            prompt: None,
        };
        let engine = Scripted::new(script, true);
        let t = transcribe::transcribe(&engine, &probs, &pcm, &opts, plan, 2, &|_| {}).unwrap();
        (t, pcm)
    }

    fn words(t: &Transcription) -> Vec<(String, f64)> {
        t.segments.iter().flat_map(|s| s.words.iter().map(|w| (w.text.clone(), w.start))).collect()
    }

    /// Speech with long silences (cut out and joined) and a stretch longer than a chunk
    /// (split inside it): every word comes back once, in order, at its own time.
    #[test]
    fn every_word_comes_back_at_its_time_through_the_chunks() {
        let long = (0..60).map(|i| format!("w{i}")).collect::<Vec<_>>().join(" ");
        let script = Script {
            lines: vec![
                Line::new("Good morning everyone.", "en", 1.0, 3.0),
                Line::new("Welcome to the session.", "en", 9.0, 11.5),
                Line::new(&long, "en", 14.0, 44.0),
                Line::new("Thank you.", "en", 70.0, 71.0),
            ],
        };
        let (t, _) = run(&script, 80.0, Some("en"), &[]);
        assert!(t.chunks.len() >= 3, "the 30 s line and the gaps make several chunks: {}", t.chunks.len());
        let want: Vec<(String, f64)> = script.words().into_iter().map(|w| (w.text, ms(w.start))).collect();
        let got = words(&t);
        assert_eq!(got.len(), want.len(), "{got:?}");
        for ((gt, gs), (wt, ws)) in got.iter().zip(&want) {
            assert_eq!(gt, wt);
            assert!((gs - ws).abs() <= 0.002, "{wt} at {gs}, scripted at {ws}");
        }
        assert_eq!(t.dropped_loops, 0);
    }

    /// Chunks of at most 6 s force cuts inside 18 s of unbroken speech: each cut falls in a
    /// pause between words, so no word is lost or heard twice.
    #[test]
    fn forced_cuts_fall_between_words() {
        let text = (0..36).map(|i| format!("word{i}")).collect::<Vec<_>>().join(" ");
        let script = Script { lines: vec![Line::new(&text, "en", 1.0, 19.0)] };
        let plan = PlanParams { max_chunk_s: 6.0, ..PlanParams::default() };
        let (t, _) = run_planned(&script, 20.0, Some("en"), &[], &plan);
        assert!(t.chunks.len() >= 3, "{:?}", t.chunks);
        let want: Vec<String> = script.words().into_iter().map(|w| w.text).collect();
        let got: Vec<String> = words(&t).into_iter().map(|(w, _)| w).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn a_loop_is_decoded_again_warmer_and_dropped_if_it_still_loops() {
        let mut script = Script {
            lines: vec![
                Line::new("We open the floor now.", "en", 1.0, 3.0),
                Line::new("Hotline calls doubled in April.", "en", 40.0, 42.0),
                Line::new("Shelters were full all year.", "en", 80.0, 82.0),
            ],
        };
        script.lines[1].loops = Loops::Greedy;
        script.lines[2].loops = Loops::Always;
        let (t, _) = run(&script, 90.0, Some("en"), &[]);
        let texts: Vec<&str> = t.segments.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(texts, ["We open the floor now.", "Hotline calls doubled in April."]);
        assert_eq!(t.dropped_loops, 1);
    }

    /// An English session with a French intervention: detection finds the switch, the
    /// French stretch is decoded in French, and `--languages` keeps detection to its list.
    #[test]
    fn a_language_switch_splits_the_chunk_and_each_part_is_decoded_in_its_language() {
        let script = Script {
            lines: vec![
                Line::new("Thank you chair, I will be brief today.", "en", 1.0, 9.0),
                Line::new("Merci beaucoup, je voudrais souligner trois points essentiels.", "fr", 9.5, 19.0),
                Line::new("Thank you, we now move to the next speaker.", "en", 19.5, 28.0),
            ],
        };
        let language_of = |t: &Transcription, word: &str| {
            t.segments.iter().find(|s| s.words.iter().any(|w| w.text == word)).map(|s| s.language.clone())
        };
        let (t, _) = run(&script, 30.0, None, &[]);
        assert_eq!(language_of(&t, "brief"), Some("en".into()));
        assert_eq!(language_of(&t, "souligner"), Some("fr".into()));
        assert_eq!(language_of(&t, "speaker."), Some("en".into()));
        // No word is lost. A window cut where there is no pause to cut at falls inside a word,
        // which is then heard on both sides (as whisper hears half a word on each).
        let heard = words(&t);
        assert!(script.words().iter().all(|w| heard.iter().any(|(h, _)| *h == w.text)));
        assert!(heard.len() <= script.words().len() + 2, "{heard:?}");
        let (only_english, _) = run(&script, 30.0, None, &["en", "es"]);
        assert!(only_english.segments.iter().all(|s| s.language == "en"));
        let (pinned, _) = run(&script, 30.0, Some("es"), &[]);
        assert!(pinned.segments.iter().all(|s| s.language == "es"));
    }

    /// The language a chunk is first decoded in is a guess that depends on which worker
    /// finished first; the result must not: one worker and three give the same segments.
    #[test]
    fn the_result_does_not_depend_on_the_order_chunks_finish_in() {
        let mut lines = Vec::new();
        for k in 0..6 {
            let t = 1.0 + 30.0 * k as f64;
            let (text, language) = if k % 2 == 0 {
                ("Thank you chair, we saw more cases this year than the last.", "en")
            } else {
                ("Merci beaucoup, la situation reste difficile pour les travailleurs.", "fr")
            };
            lines.push(Line::new(text, language, t, t + 12.0));
        }
        let script = Script { lines };
        let pcm = script.audio(190.0);
        let probs = script.speech_probabilities(&pcm);
        let opts = DecodeOptions { language: None, among: vec![], beam_size: 1, threads: 1, prompt: None };
        let engine = Scripted::new(&script, true);
        let with = |jobs: usize| {
            let t =
                transcribe::transcribe(&engine, &probs, &pcm, &opts, &PlanParams::default(), jobs, &|_| {}).unwrap();
            t.segments.iter().map(|s| (s.text.clone(), s.language.clone(), s.start)).collect::<Vec<_>>()
        };
        let one = with(1);
        assert_eq!(one.iter().filter(|s| s.1 == "fr").count(), 3, "{one:?}");
        assert_eq!(with(3), one);
    }

    /// After attribution, each word is its speaker's and the French speaker's words get one
    /// English translation.
    #[test]
    fn words_go_to_their_speakers_and_other_languages_are_translated() {
        let script = Script {
            lines: vec![
                Line::new("I give the floor to our colleague from Geneva.", "en", 1.0, 8.0),
                Line::new("Merci, la situation aux frontières reste difficile.", "fr", 9.0, 16.0),
                Line::new("Thank you for these remarks.", "en", 17.0, 20.0),
            ],
        };
        let (t, pcm) = run(&script, 22.0, None, &["en", "fr"]);
        let turns = vec![
            Turn { start: 0.9, end: 8.5, speaker: 0 },
            Turn { start: 8.8, end: 16.5, speaker: 1 },
            Turn { start: 16.8, end: 20.5, speaker: 0 },
        ];
        let diarization = Diarization { speakers: 2, turns, voices: vec![] };
        let segments = attribute::attribute(&diarization, t.segments);
        for w in segments.iter().flat_map(|s| &s.words) {
            let line = script.words().into_iter().find(|s| s.text == w.text).expect("a scripted word").line;
            let want = if line == 1 { "SPEAKER_2" } else { "SPEAKER_1" };
            assert_eq!(w.speaker.as_deref(), Some(want), "{}", w.text);
        }
        let engine = Scripted::new(&script, true);
        let opts = DecodeOptions { language: None, among: vec![], beam_size: 1, threads: 1, prompt: None };
        let segments_before = segments.clone();
        let translated = translate::translate(&engine, &pcm, segments, &opts, 2, &|_| {}).unwrap();
        // The words detected as French (the switch is placed within a quarter of a detection
        // window) become one segment, translated from their own audio.
        let french_words: Vec<&str> = segments_before
            .iter()
            .filter(|s| s.language == "fr")
            .flat_map(|s| &s.words)
            .map(|w| w.text.as_str())
            .collect();
        assert!(french_words.len() >= 4, "{french_words:?}");
        let french: Vec<&Segment> = translated.iter().filter(|s| s.language == "fr").collect();
        assert_eq!(french.len(), 1, "one stretch, one segment");
        assert_eq!(french[0].translation.as_deref(), Some(format!("(fr) {}", french_words.join(" ")).as_str()));
        assert!(translated.iter().filter(|s| s.language == "en").all(|s| s.translation.is_none()));
    }

    #[test]
    fn an_english_only_model_decodes_english_and_refuses_other_languages() {
        let script = Script { lines: vec![Line::new("Bonjour à tous.", "fr", 1.0, 3.0)] };
        let engine = Scripted::new(&script, false);
        assert!(matches!(engine.check_language(Some("fr")), Err(TranscribeError::EnglishOnly { .. })));
        assert!(matches!(engine.check_language(Some("xx")), Err(TranscribeError::Language(_))));
        let pcm = script.audio(5.0);
        let probs = script.speech_probabilities(&pcm);
        let opts = DecodeOptions { language: None, among: vec![], beam_size: 1, threads: 1, prompt: None };
        let t = transcribe::transcribe(&engine, &probs, &pcm, &opts, &PlanParams::default(), 1, &|_| {}).unwrap();
        assert!(!t.segments.is_empty() && t.segments.iter().all(|s| s.language == "en"));
    }
}

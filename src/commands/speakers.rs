//! `rapporteur speakers enroll|list|forget`: the local voice library. A voice is made from
//! clips of one person alone; `run` then names the diarized speakers it recognises.

use std::path::{Path, PathBuf};

use super::Failure;
use crate::cli::SpeakersCommand;
use crate::diarize::cluster::{Item, centroid};
use crate::diarize::embedding::unit;
use crate::diarize::{Diarizer, Params};
use crate::exit::Exit;
use crate::models::catalog::{Kind, VAD};
use crate::models::store::Store;
use crate::progress::{Progress, print};
use crate::safe_text::{self, MAX_NAME_CHARS, escape};
use crate::voices::{Library, Voice};

pub fn speakers(cmd: SpeakersCommand, library: &Path, store: &Store, progress: &Progress) -> Vec<Failure> {
    let result = match cmd {
        SpeakersCommand::Enroll { name, clips } => enroll(library, &name, &clips, store, progress),
        SpeakersCommand::List => list(library, progress),
        SpeakersCommand::Forget { name } => forget(library, &name, progress),
    };
    match result {
        Ok(()) => vec![],
        Err(f) => {
            progress.error(None, &f.message);
            vec![f]
        }
    }
}

fn load(library: &Path) -> Result<Library, Failure> {
    Library::load(library).map_err(|e| Failure::new(Exit::Input, e.0))
}

fn save(lib: &Library, library: &Path) -> Result<(), Failure> {
    lib.save(library).map_err(|e| Failure::new(Exit::Output, e.0))
}

fn load_noting(library: &Path, progress: &Progress) -> Result<Library, Failure> {
    let lib = load(library)?;
    if let Some(note) = lib.unusable_note(library) {
        progress.warn(&note);
    }
    Ok(lib)
}

fn enroll(library: &Path, name: &str, clips: &[PathBuf], store: &Store, progress: &Progress) -> Result<(), Failure> {
    // The name is checked first, before any audio is decoded: it goes into every document.
    let name = name.trim();
    if name.is_empty() {
        return Err(Failure::new(Exit::Usage, "the voice needs a name".to_string()));
    }
    if let Err(why) = safe_text::check(name, MAX_NAME_CHARS) {
        return Err(Failure::new(Exit::Usage, format!("the voice name NAME {} {why}", safe_text::preview(name))));
    }
    let mut lib = load_noting(library, progress)?;
    let vad_model = store.resolve(VAD, Kind::Vad)?;
    let mut vad =
        crate::audio::vad::Vad::load(&vad_model.path, 1).map_err(|e| Failure::new(Exit::Model, e.to_string()))?;
    let diarizer =
        Diarizer::load().map_err(|e| Failure::new(Exit::Model, format!("cannot load the speaker models: {e:#}")))?;
    let params = Params::default();
    // Every clip's voice, weighted by its speech, make the one enrolled.
    let mut voices = Vec::new();
    for clip in clips {
        let file = clip.display().to_string();
        let (pcm, _) = crate::audio::decode::decode(clip)?;
        let probs = vad
            .probabilities(&pcm)
            .map_err(|e| Failure::new(Exit::Failed, format!("voice activity detection failed on {file}: {e}")))?;
        let (voice, seconds) = diarizer.voice(&pcm, &params.speech(&probs)).map_err(|_| {
            Failure::new(Exit::Input, format!("{file} has no speech to enrol; give a clip where {name} speaks"))
        })?;
        voices.push(Item { embedding: voice, speech_s: seconds });
    }
    let speech_s: f64 = voices.iter().map(|v| v.speech_s).sum();
    let embedding = unit(centroid(&voices, &vec![0; voices.len()], 0)).to_vec();
    let clips = clips
        .iter()
        .map(|c| c.file_name().map_or_else(|| c.display().to_string(), |n| n.to_string_lossy().into_owned()))
        .collect();
    lib.enroll(Voice { name: name.to_string(), embedding, speech_s: (speech_s * 10.0).round() / 10.0, clips });
    save(&lib, library)?;
    let advice = if speech_s < 10.0 { "; under 10 s of speech: add clips for a surer match" } else { "" };
    progress.done(
        name,
        &library.display().to_string(),
        &format!("voice enrolled from {speech_s:.0} s of speech{advice}"),
    );
    Ok(())
}

fn list(library: &Path, progress: &Progress) -> Result<(), Failure> {
    let lib = load_noting(library, progress)?;
    let mut out = String::new();
    if lib.voices.is_empty() && lib.unusable.is_empty() {
        out += &format!("no voices enrolled in {}\n", escape(&library.display().to_string()));
    }
    // Clip file names may hold anything; unusable names are shown escaped, as `forget` takes them.
    for (v, mark) in lib
        .voices
        .iter()
        .map(|v| (v, ""))
        .chain(lib.unusable.iter().map(|v| (v, "\t(not used: forget it and enrol it again)")))
    {
        out += &format!("{}\t{:.0} s of speech\t{}{mark}\n", escape(&v.name), v.speech_s, escape(&v.clips.join(", ")));
    }
    print(&out)
        .map_err(|e| Failure::new(Exit::Output, format!("cannot write the list of voices to standard output: {e}")))
}

fn forget(library: &Path, name: &str, progress: &Progress) -> Result<(), Failure> {
    let mut lib = load(library)?;
    if !lib.forget(name) {
        let known: Vec<String> = lib.voices.iter().chain(&lib.unusable).map(|v| escape(&v.name).into_owned()).collect();
        let known = if known.is_empty() { "none".into() } else { known.join(", ") };
        return Err(Failure::new(
            Exit::Input,
            format!(
                "no voice named {} in {} (enrolled: {known}); `rapporteur speakers list` shows them",
                safe_text::preview(name),
                library.display()
            ),
        ));
    }
    save(&lib, library)?;
    progress.done(name, &library.display().to_string(), "voice forgotten");
    Ok(())
}

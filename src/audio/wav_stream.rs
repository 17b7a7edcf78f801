//! WAV files written to a pipe. A recorder that streams cannot go back to fill in the sizes,
//! so it leaves a placeholder: `ffmpeg -f wav -` writes 0xFFFFFFFF, arecord 0x7FFFFFFF.
//! symphonia takes 0xFFFFFFFF as "unknown" but then ends on a partial read, and 0x7FFFFFFF as
//! 18 hours promised: both looked like truncated files. When the data chunk's size is such a
//! placeholder and runs past the end of the file, the sizes the decoder reads are rewritten to
//! what the file holds. A real size that the file falls short of (a copy cut off) is left as
//! it is, so truncation is still found.

use std::io::{self, Read, Seek, SeekFrom};

use symphonia::core::io::MediaSource;

/// The sizes a streaming writer leaves in a WAV header.
const PLACEHOLDERS: [u32; 2] = [u32::MAX, 0x7FFF_FFFF];
/// A WAV file has a handful of chunks before its data; more means it is not one.
const MAX_CHUNKS: usize = 1000;

/// What the start of a recording says about it.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Header {
    /// It starts as a WAV file does (`RIFF` … `WAVE`).
    pub is_wav: bool,
    /// Its data chunk has a placeholder size and runs to the end of the file.
    pub streamed: bool,
    /// 4-byte little-endian values to show at these offsets instead of the file's own.
    patches: Vec<(u64, [u8; 4])>,
}

/// Reads the chunk headers at the start of `src` and leaves it at offset 0.
pub fn scan(src: &mut dyn MediaSource) -> io::Result<Header> {
    let len = match src.byte_len() {
        Some(len) => len,
        None => src.seek(SeekFrom::End(0))?,
    };
    let header = scan_chunks(src, len);
    src.seek(SeekFrom::Start(0))?;
    header
}

fn scan_chunks(src: &mut dyn MediaSource, len: u64) -> io::Result<Header> {
    let mut out = Header::default();
    let mut head = [0u8; 12];
    src.seek(SeekFrom::Start(0))?;
    if len < 12 || src.read_exact(&mut head).is_err() || &head[0..4] != b"RIFF" || &head[8..12] != b"WAVE" {
        return Ok(out);
    }
    out.is_wav = true;
    let mut at = 12u64;
    for _ in 0..MAX_CHUNKS {
        if at + 8 > len {
            break;
        }
        let mut chunk = [0u8; 8];
        src.seek(SeekFrom::Start(at))?;
        src.read_exact(&mut chunk)?;
        let size = u32::from_le_bytes([chunk[4], chunk[5], chunk[6], chunk[7]]);
        let body = at + 8;
        if &chunk[0..4] == b"data" {
            if PLACEHOLDERS.contains(&size) && body + u64::from(size) > len {
                out.streamed = true;
                // Beyond 4 GB no size fits: 0xFFFFFFFF is symphonia's "to the end".
                let data = u32::try_from(len - body).ok().filter(|s| *s != u32::MAX).unwrap_or(u32::MAX);
                let riff = u32::try_from(len - 8).ok().filter(|s| *s != u32::MAX).unwrap_or(u32::MAX);
                out.patches = vec![(4, riff.to_le_bytes()), (at + 4, data.to_le_bytes())];
            }
            break;
        }
        if PLACEHOLDERS.contains(&size) {
            break;
        }
        // Chunks are padded to an even length.
        at = body + u64::from(size) + u64::from(size & 1);
    }
    Ok(out)
}

/// A byte source with the header's patches applied; everything else passes through.
pub struct Patched {
    inner: Box<dyn MediaSource>,
    pos: u64,
    patches: Vec<(u64, [u8; 4])>,
}

impl Patched {
    pub fn new(inner: Box<dyn MediaSource>, header: &Header) -> Patched {
        Patched { inner, pos: 0, patches: header.patches.clone() }
    }
}

impl Read for Patched {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let (start, end) = (self.pos, self.pos + n as u64);
        for (at, bytes) in &self.patches {
            for (i, b) in bytes.iter().enumerate() {
                let p = at + i as u64;
                if (start..end).contains(&p) {
                    buf[(p - start) as usize] = *b;
                }
            }
        }
        self.pos = end;
        Ok(n)
    }
}

impl Seek for Patched {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        self.pos = self.inner.seek(to)?;
        Ok(self.pos)
    }
}

impl MediaSource for Patched {
    fn is_seekable(&self) -> bool {
        self.inner.is_seekable()
    }

    fn byte_len(&self) -> Option<u64> {
        self.inner.byte_len()
    }
}

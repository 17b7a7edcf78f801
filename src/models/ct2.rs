//! Reader for CTranslate2 `model.bin` files (binary version 6).
//!
//! Layout: `u32` version, spec name, `u32` revision, `u32` variable count, then per variable
//! name, `u8` rank, `u32` dims, `u8` dtype, `u32` byte count, data; then `u32` alias count and
//! (alias, target) pairs. Strings are a `u16` length (counting a trailing NUL) and the bytes.

use std::collections::BTreeMap;
use std::ops::Range;

use half::{bf16, f16};

#[derive(Debug, thiserror::Error)]
pub enum Ct2Error {
    #[error("the file ends early (truncated CTranslate2 model?)")]
    Truncated,
    #[error("CTranslate2 binary version {0} is not supported (expected 6)")]
    Version(u32),
    #[error("unknown CTranslate2 data type {0}")]
    DType(u8),
    #[error("variable '{0}' is missing from the CTranslate2 model")]
    Missing(String),
    #[error(
        "variable '{name}' has type {dtype:?}; only float16/bfloat16/float32 models can be converted (quantized int8 models cannot)"
    )]
    NotFloat { name: String, dtype: DType },
    #[error("variable '{0}' is not a scalar integer")]
    NotScalar(String),
    #[error("invalid UTF-8 in a variable name")]
    Name,
}

/// CTranslate2's `DataType` ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DType {
    F32,
    I8,
    I16,
    I32,
    F16,
    BF16,
}

impl DType {
    fn from_id(id: u8) -> Result<Self, Ct2Error> {
        Ok(match id {
            0 => DType::F32,
            1 => DType::I8,
            2 => DType::I16,
            3 => DType::I32,
            4 => DType::F16,
            5 => DType::BF16,
            other => return Err(Ct2Error::DType(other)),
        })
    }
}

#[derive(Debug, Clone)]
pub struct Variable {
    pub shape: Vec<usize>,
    pub dtype: DType,
    bytes: Range<usize>,
}

/// A parsed model: variables index into the owned file bytes, nothing is copied.
pub struct Ct2Model {
    pub spec: String,
    pub revision: u32,
    data: Vec<u8>,
    variables: BTreeMap<String, Variable>,
}

struct Cursor<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Result<Range<usize>, Ct2Error> {
        let end = self.pos.checked_add(n).ok_or(Ct2Error::Truncated)?;
        if end > self.data.len() {
            return Err(Ct2Error::Truncated);
        }
        let r = self.pos..end;
        self.pos = end;
        Ok(r)
    }
    fn u8(&mut self) -> Result<u8, Ct2Error> {
        Ok(self.data[self.take(1)?.start])
    }
    fn u16(&mut self) -> Result<u16, Ct2Error> {
        let r = self.take(2)?;
        Ok(u16::from_le_bytes([self.data[r.start], self.data[r.start + 1]]))
    }
    fn u32(&mut self) -> Result<u32, Ct2Error> {
        let r = self.take(4)?;
        let b = &self.data[r];
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn string(&mut self) -> Result<String, Ct2Error> {
        let len = self.u16()? as usize;
        let r = self.take(len)?;
        let bytes = &self.data[r];
        let bytes = bytes.strip_suffix(&[0]).unwrap_or(bytes);
        String::from_utf8(bytes.to_vec()).map_err(|_| Ct2Error::Name)
    }
}

impl Ct2Model {
    pub fn parse(data: Vec<u8>) -> Result<Self, Ct2Error> {
        let mut c = Cursor { data: &data, pos: 0 };
        let version = c.u32()?;
        if version != 6 {
            return Err(Ct2Error::Version(version));
        }
        let spec = c.string()?;
        let revision = c.u32()?;
        let count = c.u32()?;
        let mut variables = BTreeMap::new();
        for _ in 0..count {
            let name = c.string()?;
            let rank = c.u8()? as usize;
            let mut shape = Vec::with_capacity(rank);
            for _ in 0..rank {
                shape.push(c.u32()? as usize);
            }
            let dtype = DType::from_id(c.u8()?)?;
            let n = c.u32()? as usize;
            let bytes = c.take(n)?;
            variables.insert(name, Variable { shape, dtype, bytes });
        }
        let aliases = c.u32()?;
        for _ in 0..aliases {
            let alias = c.string()?;
            let target = c.string()?;
            if let Some(v) = variables.get(&target).cloned() {
                variables.insert(alias, v);
            }
        }
        Ok(Ct2Model { spec, revision, data, variables })
    }

    pub fn get(&self, name: &str) -> Result<&Variable, Ct2Error> {
        self.variables.get(name).ok_or_else(|| Ct2Error::Missing(name.to_string()))
    }

    pub fn has(&self, name: &str) -> bool {
        self.variables.contains_key(name)
    }

    /// A floating-point variable widened to f32 (exact for f16 and bf16 sources).
    pub fn f32s(&self, name: &str) -> Result<Vec<f32>, Ct2Error> {
        let v = self.get(name)?;
        let b = &self.data[v.bytes.clone()];
        Ok(match v.dtype {
            DType::F32 => b.chunks_exact(4).map(|x| f32::from_le_bytes([x[0], x[1], x[2], x[3]])).collect(),
            DType::F16 => b.chunks_exact(2).map(|x| f16::from_le_bytes([x[0], x[1]]).to_f32()).collect(),
            DType::BF16 => b.chunks_exact(2).map(|x| bf16::from_le_bytes([x[0], x[1]]).to_f32()).collect(),
            dtype => return Err(Ct2Error::NotFloat { name: name.to_string(), dtype }),
        })
    }

    /// A scalar integer attribute such as `encoder/num_heads`.
    pub fn scalar(&self, name: &str) -> Result<i64, Ct2Error> {
        let v = self.get(name)?;
        let b = &self.data[v.bytes.clone()];
        if !v.shape.is_empty() {
            return Err(Ct2Error::NotScalar(name.to_string()));
        }
        Ok(match (v.dtype, b.len()) {
            (DType::I8, 1) => b[0] as i8 as i64,
            (DType::I16, 2) => i16::from_le_bytes([b[0], b[1]]) as i64,
            (DType::I32, 4) => i32::from_le_bytes([b[0], b[1], b[2], b[3]]) as i64,
            _ => return Err(Ct2Error::NotScalar(name.to_string())),
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Builds a version-6 file from (name, shape, dtype id, bytes) and aliases.
    pub fn build(vars: &[(&str, Vec<u32>, u8, Vec<u8>)], aliases: &[(&str, &str)]) -> Vec<u8> {
        fn s(out: &mut Vec<u8>, x: &str) {
            out.extend_from_slice(&((x.len() + 1) as u16).to_le_bytes());
            out.extend_from_slice(x.as_bytes());
            out.push(0);
        }
        let mut out = Vec::new();
        out.extend_from_slice(&6u32.to_le_bytes());
        s(&mut out, "WhisperSpec");
        out.extend_from_slice(&3u32.to_le_bytes());
        out.extend_from_slice(&(vars.len() as u32).to_le_bytes());
        for (name, shape, dtype, bytes) in vars {
            s(&mut out, name);
            out.push(shape.len() as u8);
            for d in shape {
                out.extend_from_slice(&d.to_le_bytes());
            }
            out.push(*dtype);
            out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
            out.extend_from_slice(bytes);
        }
        out.extend_from_slice(&(aliases.len() as u32).to_le_bytes());
        for (a, t) in aliases {
            s(&mut out, a);
            s(&mut out, t);
        }
        out
    }

    #[test]
    fn parses_variables_scalars_and_aliases() {
        let w: Vec<u8> = [1.0f32, -2.5].iter().flat_map(|x| f16::from_f32(*x).to_le_bytes()).collect();
        let file = build(
            &[("a/weight", vec![2], 4, w), ("a/num_heads", vec![], 2, 8i16.to_le_bytes().to_vec())],
            &[("b/weight", "a/weight")],
        );
        let m = Ct2Model::parse(file).unwrap();
        assert_eq!(m.spec, "WhisperSpec");
        assert_eq!(m.f32s("a/weight").unwrap(), vec![1.0, -2.5]);
        assert_eq!(m.f32s("b/weight").unwrap(), vec![1.0, -2.5]);
        assert_eq!(m.scalar("a/num_heads").unwrap(), 8);
        assert!(matches!(m.get("nope"), Err(Ct2Error::Missing(_))));
    }

    #[test]
    fn truncated_and_wrong_version_are_errors() {
        let file = build(&[("a", vec![4], 0, vec![0; 16])], &[]);
        assert!(matches!(Ct2Model::parse(file[..file.len() - 9].to_vec()), Err(Ct2Error::Truncated)));
        let mut v5 = file.clone();
        v5[0] = 5;
        assert!(matches!(Ct2Model::parse(v5), Err(Ct2Error::Version(5))));
    }

    #[test]
    fn int8_weights_are_refused() {
        let m = Ct2Model::parse(build(&[("q", vec![2], 1, vec![1, 2])], &[])).unwrap();
        assert!(matches!(m.f32s("q"), Err(Ct2Error::NotFloat { .. })));
    }
}

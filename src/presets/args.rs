//! Reading a recorded call's `args` object with typed errors.

use serde_json::Value;

use crate::error::{Error, Result};

/// The `args` of a recorded call, with the call's name for error messages.
pub(crate) struct Args<'a> {
    call: String,
    map: Option<&'a serde_json::Map<String, Value>>,
}

fn type_error(call: &str, key: &str, v: &Value, want: &str) -> Error {
    Error::invalid_argument(format!("{call}: {key}"), v, format!("expected {want}"))
}

impl<'a> Args<'a> {
    pub(crate) fn new(call: impl Into<String>, args: &'a Value) -> Result<Self> {
        let call = call.into();
        match args {
            Value::Object(m) => Ok(Args { call, map: Some(m) }),
            Value::Null => Ok(Args { call, map: None }),
            other => Err(Error::invalid_argument(
                format!("{call}: args"),
                other,
                "expected an object of named arguments",
            )),
        }
    }

    pub(crate) fn call(&self) -> &str {
        &self.call
    }

    /// The value of `key` unless absent or null.
    pub(crate) fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.and_then(|m| m.get(key)).filter(|v| !v.is_null())
    }

    /// The first of several spellings of one argument that is present (e.g. a proto field name
    /// and the coremltools builder's keyword).
    pub(crate) fn first_key<'k>(&self, keys: &[&'k str]) -> &'k str {
        keys.iter()
            .copied()
            .find(|k| self.get(k).is_some())
            .unwrap_or(keys[0])
    }

    /// Refuses keys outside `known`.
    pub(crate) fn only(&self, known: &[&str]) -> Result<()> {
        if let Some(m) = self.map {
            for (k, v) in m {
                // A null argument is an absent one (the format records unused inputs as null).
                if !v.is_null() && !known.contains(&k.as_str()) {
                    return Err(Error::invalid_argument(
                        format!("{}: {k}", self.call),
                        &m[k],
                        format!("unknown argument; accepted: {}", known.join(", ")),
                    ));
                }
            }
        }
        Ok(())
    }

    pub(crate) fn err(
        &self,
        key: &str,
        value: impl std::fmt::Display,
        reason: impl Into<String>,
    ) -> Error {
        Error::invalid_argument(format!("{}: {key}", self.call), value, reason)
    }

    pub(crate) fn bool_or(&self, key: &str, default: bool) -> Result<bool> {
        Ok(self.opt_bool(key)?.unwrap_or(default))
    }

    pub(crate) fn opt_bool(&self, key: &str) -> Result<Option<bool>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            // ONNX-style integer flags.
            Some(Value::Number(n)) if n.as_i64() == Some(0) => Ok(Some(false)),
            Some(Value::Number(n)) if n.as_i64() == Some(1) => Ok(Some(true)),
            Some(v) => Err(type_error(&self.call, key, v, "a boolean")),
        }
    }

    pub(crate) fn opt_f64(&self, key: &str) -> Result<Option<f64>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Number(n)) => n
                .as_f64()
                .map(Some)
                .ok_or_else(|| type_error(&self.call, key, &Value::Number(n.clone()), "a number")),
            // JSON numbers cannot be NaN or infinite: those arrive as text ("nan", "inf").
            Some(Value::String(text)) => match text.trim().parse::<f64>() {
                Ok(v) if !v.is_finite() => Ok(Some(v)),
                _ => Err(type_error(
                    &self.call,
                    key,
                    &Value::String(text.clone()),
                    "a number",
                )),
            },
            Some(v) => Err(type_error(&self.call, key, v, "a number")),
        }
    }

    pub(crate) fn opt_i64(&self, key: &str) -> Result<Option<i64>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Number(n)) => match (n.as_i64(), n.as_f64()) {
                (Some(i), _) => Ok(Some(i)),
                (None, Some(f)) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(Some(f as i64)),
                _ => Err(type_error(
                    &self.call,
                    key,
                    &Value::Number(n.clone()),
                    "an integer",
                )),
            },
            Some(v) => Err(type_error(&self.call, key, v, "an integer")),
        }
    }

    pub(crate) fn i64(&self, key: &str) -> Result<i64> {
        self.opt_i64(key)?.ok_or_else(|| Error::MissingField {
            field: key.into(),
            context: self.call.clone(),
        })
    }

    pub(crate) fn opt_str(&self, key: &str) -> Result<Option<&'a str>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.as_str())),
            Some(v) => Err(type_error(&self.call, key, v, "a string")),
        }
    }

    /// A list of numbers, or a single number (repeated `n` times), or absent.
    pub(crate) fn opt_f64_list(&self, key: &str) -> Result<Option<Vec<f64>>> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => flatten_numbers(v)
                .map(Some)
                .ok_or_else(|| type_error(&self.call, key, v, "a list of numbers")),
        }
    }

    /// A list of integers, absent, or null.
    pub(crate) fn opt_i64_list(&self, key: &str) -> Result<Option<Vec<i64>>> {
        match self.opt_f64_list(key)? {
            None => Ok(None),
            Some(v) => {
                if v.iter().any(|x| x.fract() != 0.0 || !x.is_finite()) {
                    return Err(self.err(key, format!("{v:?}"), "expected integers"));
                }
                Ok(Some(v.into_iter().map(|x| x as i64).collect()))
            }
        }
    }

    /// An `[a, b]` pair of numbers; a single number is used for both.
    pub(crate) fn opt_pair_f64(&self, key: &str) -> Result<Option<[f64; 2]>> {
        match self.opt_f64_list(key)? {
            None => Ok(None),
            Some(v) if v.len() == 2 => Ok(Some([v[0], v[1]])),
            Some(v) if v.len() == 1 && matches!(self.get(key), Some(Value::Number(_))) => {
                Ok(Some([v[0], v[0]]))
            }
            Some(v) => Err(self.err(key, format!("{v:?}"), "expected two values [height, width]")),
        }
    }

    /// An `[a, b]` pair of integers; a single integer is used for both.
    pub(crate) fn opt_pair_i64(&self, key: &str) -> Result<Option<[i64; 2]>> {
        match self.opt_pair_f64(key)? {
            None => Ok(None),
            Some([a, b]) if a.fract() == 0.0 && b.fract() == 0.0 => Ok(Some([a as i64, b as i64])),
            Some(p) => Err(self.err(key, format!("{p:?}"), "expected integers")),
        }
    }
}

/// All numbers of a (possibly nested) JSON array, depth first; a single number is a list of one.
pub(crate) fn flatten_numbers(v: &Value) -> Option<Vec<f64>> {
    fn walk(v: &Value, out: &mut Vec<f64>) -> bool {
        match v {
            Value::Number(n) => match n.as_f64() {
                Some(f) => {
                    out.push(f);
                    true
                }
                None => false,
            },
            Value::Array(items) => items.iter().all(|i| walk(i, out)),
            _ => false,
        }
    }
    let mut out = Vec::new();
    walk(v, &mut out).then_some(out)
}

/// Parses an enum-like string argument.
pub(crate) fn parse_choice<T: Copy>(
    args: &Args<'_>,
    key: &str,
    value: &str,
    choices: &[(&str, T)],
) -> Result<T> {
    choices
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(value))
        .map(|(_, v)| *v)
        .ok_or_else(|| {
            args.err(
                key,
                value,
                format!(
                    "expected one of {}",
                    choices.iter().map(|c| c.0).collect::<Vec<_>>().join(", ")
                ),
            )
        })
}

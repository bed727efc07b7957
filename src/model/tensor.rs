//! Small dense tensors and the data-movement ops the audit evaluates: on shape arithmetic (the
//! `sizes` an exporter computes from `Shape`) and on the index-coded probe a data-movement
//! pattern is run on. The ops are generic over the element type, since they only move
//! elements: `i64` and `f64` for folding, `u32` (indices) for the probe.
//!
//! Every op checks its arguments and bounds what it allocates ([`MAX_PROBE_ELEMENTS`]); a
//! failure is a phrase saying what does not fit.

use super::limits::{MAX_PROBE_ELEMENTS, MAX_RANK};

/// A phrase saying why an op cannot be evaluated.
pub type Why = String;

/// A dense row-major tensor.
#[derive(Debug, Clone, PartialEq)]
pub struct Tensor<T> {
    /// The dims (empty for a scalar).
    pub dims: Vec<usize>,
    /// The elements, row-major.
    pub data: Vec<T>,
}

/// The element count of dims, if it fits the bound.
pub fn count(dims: &[usize]) -> Result<usize, Why> {
    if dims.len() > MAX_RANK {
        return Err(format!("rank {} is above {MAX_RANK}", dims.len()));
    }
    dims.iter()
        .try_fold(1usize, |n, &d| n.checked_mul(d))
        .filter(|&n| n <= MAX_PROBE_ELEMENTS)
        .ok_or_else(|| format!("{dims:?} has more than {MAX_PROBE_ELEMENTS} elements"))
}

fn strides(dims: &[usize]) -> Vec<usize> {
    let mut s = vec![1; dims.len()];
    for k in (0..dims.len().saturating_sub(1)).rev() {
        s[k] = s[k + 1] * dims[k + 1];
    }
    s
}

/// A normalised axis (negative counts from the end), or why not.
pub fn axis(a: i64, rank: usize) -> Result<usize, Why> {
    let r = rank as i64;
    let v = if a < 0 { a + r } else { a };
    if (0..r).contains(&v) {
        Ok(v as usize)
    } else {
        Err(format!("axis {a} is outside rank {rank}"))
    }
}

impl<T: Copy> Tensor<T> {
    /// A tensor from dims and data (the lengths must agree).
    pub fn new(dims: Vec<usize>, data: Vec<T>) -> Result<Self, Why> {
        let n = count(&dims)?;
        if n != data.len() {
            return Err(format!("{} values for dims {dims:?}", data.len()));
        }
        Ok(Tensor { dims, data })
    }

    /// The same elements under other dims.
    pub fn reshape(self, dims: Vec<usize>) -> Result<Self, Why> {
        let n = count(&dims)?;
        if n != self.data.len() {
            return Err(format!(
                "cannot reshape {:?} ({} elements) to {dims:?}",
                self.dims,
                self.data.len()
            ));
        }
        Ok(Tensor {
            dims,
            data: self.data,
        })
    }

    /// Axes permuted: output axis k is input axis `perm[k]`.
    pub fn transpose(&self, perm: &[usize]) -> Result<Self, Why> {
        let rank = self.dims.len();
        let mut seen = vec![false; rank];
        if perm.len() != rank
            || perm
                .iter()
                .any(|&p| p >= rank || std::mem::replace(&mut seen[p], true))
        {
            return Err(format!("perm {perm:?} is not a permutation of rank {rank}"));
        }
        let dims: Vec<usize> = perm.iter().map(|&p| self.dims[p]).collect();
        let in_strides = strides(&self.dims);
        let src: Vec<usize> = perm.iter().map(|&p| in_strides[p]).collect();
        let mut data = Vec::with_capacity(self.data.len());
        walk(&dims, |offsets| {
            let at: usize = offsets.iter().zip(&src).map(|(i, s)| i * s).sum();
            data.push(self.data[at]);
        });
        Ok(Tensor { dims, data })
    }

    /// `Gather` along an axis with integer indices (negative ones count from the end).
    pub fn gather(&self, ax: usize, indices: &Tensor<i64>) -> Result<Self, Why> {
        let rank = self.dims.len();
        if ax >= rank {
            return Err(format!("gather axis {ax} of rank {rank}"));
        }
        let len = self.dims[ax] as i64;
        let idx: Vec<usize> = indices
            .data
            .iter()
            .map(|&i| {
                let v = if i < 0 { i + len } else { i };
                if (0..len).contains(&v) {
                    Ok(v as usize)
                } else {
                    Err(format!("gather index {i} outside 0..{len}"))
                }
            })
            .collect::<Result<_, _>>()?;
        let outer: usize = self.dims[..ax].iter().product();
        let inner: usize = self.dims[ax + 1..].iter().product();
        let mut dims = self.dims[..ax].to_vec();
        dims.extend_from_slice(&indices.dims);
        dims.extend_from_slice(&self.dims[ax + 1..]);
        count(&dims)?;
        let mut data = Vec::with_capacity(outer * idx.len() * inner);
        for o in 0..outer {
            for &i in &idx {
                let base = (o * self.dims[ax] + i) * inner;
                data.extend_from_slice(&self.data[base..base + inner]);
            }
        }
        Ok(Tensor { dims, data })
    }

    /// `GatherND` (ONNX / TF): the last axis of `indices` indexes the leading axes of the data
    /// after `batch_dims` batch axes.
    pub fn gather_nd(&self, indices: &Tensor<i64>, batch_dims: usize) -> Result<Self, Why> {
        let rank = self.dims.len();
        let irank = indices.dims.len();
        if irank == 0 || batch_dims >= irank || batch_dims >= rank {
            return Err(format!(
                "gather_nd with indices {:?} and batch_dims {batch_dims} on rank {rank}",
                indices.dims
            ));
        }
        if self.dims[..batch_dims] != indices.dims[..batch_dims] {
            return Err("gather_nd batch dims differ".into());
        }
        let k = indices.dims[irank - 1];
        if batch_dims + k > rank {
            return Err(format!("gather_nd index depth {k} past rank {rank}"));
        }
        let batch: usize = self.dims[..batch_dims].iter().product();
        let slice_dims = &self.dims[batch_dims + k..];
        let slice: usize = slice_dims.iter().product();
        let per_batch: usize = indices.dims[batch_dims..irank - 1].iter().product();
        let mut dims = indices.dims[..irank - 1].to_vec();
        dims.extend_from_slice(slice_dims);
        count(&dims)?;
        let data_strides = strides(&self.dims);
        let batch_stride: usize = self.dims[batch_dims..].iter().product();
        let mut data = Vec::with_capacity(batch * per_batch * slice);
        for b in 0..batch {
            for p in 0..per_batch {
                let tuple = &indices.data[(b * per_batch + p) * k..(b * per_batch + p + 1) * k];
                let mut at = b * batch_stride;
                for (j, &i) in tuple.iter().enumerate() {
                    let len = self.dims[batch_dims + j] as i64;
                    let v = if i < 0 { i + len } else { i };
                    if !(0..len).contains(&v) {
                        return Err(format!("gather_nd index {i} outside 0..{len}"));
                    }
                    at += v as usize * data_strides[batch_dims + j];
                }
                data.extend_from_slice(&self.data[at..at + slice]);
            }
        }
        Ok(Tensor { dims, data })
    }

    /// `Tile`: each axis repeated.
    pub fn tile(&self, repeats: &[usize]) -> Result<Self, Why> {
        if repeats.len() != self.dims.len() {
            return Err(format!(
                "{} repeats for rank {}",
                repeats.len(),
                self.dims.len()
            ));
        }
        let dims: Vec<usize> = self.dims.iter().zip(repeats).map(|(d, r)| d * r).collect();
        count(&dims)?;
        let in_strides = strides(&self.dims);
        let mut data = Vec::new();
        walk(&dims, |o| {
            let at: usize = o
                .iter()
                .zip(&self.dims)
                .zip(&in_strides)
                .map(|((i, d), s)| (i % d) * s)
                .sum();
            data.push(self.data[at]);
        });
        Ok(Tensor { dims, data })
    }

    /// Broadcast to `dims` (numpy rules; the tensor's dims are aligned to the right).
    pub fn broadcast_to(&self, dims: &[usize]) -> Result<Self, Why> {
        let rank = dims.len();
        if self.dims.len() > rank {
            return Err(format!("cannot broadcast {:?} to {dims:?}", self.dims));
        }
        let pad = rank - self.dims.len();
        let in_strides = strides(&self.dims);
        for (k, &d) in self.dims.iter().enumerate() {
            if d != 1 && d != dims[pad + k] {
                return Err(format!("cannot broadcast {:?} to {dims:?}", self.dims));
            }
        }
        count(dims)?;
        let mut data = Vec::new();
        walk(dims, |o| {
            let at: usize = (0..self.dims.len())
                .map(|k| {
                    if self.dims[k] == 1 {
                        0
                    } else {
                        o[pad + k] * in_strides[k]
                    }
                })
                .sum();
            data.push(self.data[at]);
        });
        Ok(Tensor {
            dims: dims.to_vec(),
            data,
        })
    }

    /// Strided slices per axis: `(start, step, len)`, already clamped.
    pub fn slice(&self, ranges: &[(i64, i64, usize)]) -> Result<Self, Why> {
        if ranges.len() != self.dims.len() {
            return Err("slice ranges do not match the rank".into());
        }
        let dims: Vec<usize> = ranges.iter().map(|r| r.2).collect();
        count(&dims)?;
        let in_strides = strides(&self.dims);
        let mut data = Vec::new();
        let mut bad = false;
        walk(&dims, |o| {
            let mut at = 0usize;
            for k in 0..o.len() {
                let i = ranges[k].0 + ranges[k].1 * o[k] as i64;
                if i < 0 || i as usize >= self.dims[k] {
                    bad = true;
                    return;
                }
                at += i as usize * in_strides[k];
            }
            data.push(self.data[at]);
        });
        if bad {
            return Err("slice reaches outside the tensor".into());
        }
        Ok(Tensor { dims, data })
    }

    /// Tensors joined along an axis (same rank, other dims equal).
    pub fn concat(parts: &[&Tensor<T>], ax: usize) -> Result<Self, Why> {
        let first = parts.first().ok_or("concat of nothing")?;
        let rank = first.dims.len();
        if ax >= rank {
            return Err(format!("concat axis {ax} of rank {rank}"));
        }
        for p in parts {
            if p.dims.len() != rank
                || p.dims[..ax] != first.dims[..ax]
                || p.dims[ax + 1..] != first.dims[ax + 1..]
            {
                return Err(format!(
                    "cannot concat {:?} with {:?} on axis {ax}",
                    first.dims, p.dims
                ));
            }
        }
        let mut dims = first.dims.clone();
        dims[ax] = parts.iter().map(|p| p.dims[ax]).sum();
        count(&dims)?;
        let outer: usize = first.dims[..ax].iter().product();
        let mut data = Vec::new();
        for o in 0..outer {
            for p in parts {
                let chunk: usize = p.dims[ax..].iter().product();
                data.extend_from_slice(&p.data[o * chunk..(o + 1) * chunk]);
            }
        }
        Ok(Tensor { dims, data })
    }

    /// Converts the elements.
    pub fn map<U>(&self, f: impl Fn(T) -> U) -> Tensor<U> {
        Tensor {
            dims: self.dims.clone(),
            data: self.data.iter().map(|&x| f(x)).collect(),
        }
    }
}

/// Calls `f` with every multi-index of `dims`, in row-major order.
fn walk(dims: &[usize], mut f: impl FnMut(&[usize])) {
    if dims.contains(&0) {
        return;
    }
    let mut idx = vec![0usize; dims.len()];
    loop {
        f(&idx);
        let mut k = dims.len();
        loop {
            if k == 0 {
                return;
            }
            k -= 1;
            idx[k] += 1;
            if idx[k] < dims[k] {
                break;
            }
            idx[k] = 0;
        }
    }
}

/// The numpy broadcast of two shapes.
pub fn broadcast_dims(a: &[usize], b: &[usize]) -> Result<Vec<usize>, Why> {
    let rank = a.len().max(b.len());
    let get = |s: &[usize], k: usize| {
        let pad = rank - s.len();
        if k < pad {
            1
        } else {
            s[k - pad]
        }
    };
    (0..rank)
        .map(|k| {
            let (x, y) = (get(a, k), get(b, k));
            if x == y || y == 1 {
                Ok(x)
            } else if x == 1 {
                Ok(y)
            } else {
                Err(format!("shapes {a:?} and {b:?} do not broadcast"))
            }
        })
        .collect()
}

/// ONNX `Slice` ranges for one axis: clamped start, step and length, as the spec says.
pub fn onnx_range(start: i64, end: i64, step: i64, len: usize) -> Result<(i64, i64, usize), Why> {
    if step == 0 {
        return Err("slice step 0".into());
    }
    let n = len as i64;
    let fix = |v: i64| if v < 0 { v.saturating_add(n) } else { v };
    let (s, e) = (fix(start), fix(end));
    let (s, e) = if step > 0 {
        (s.clamp(0, n), e.clamp(0, n))
    } else {
        (s.clamp(0, n - 1), e.clamp(-1, n - 1))
    };
    let count = if step > 0 {
        if e > s {
            (e - s - 1) as u64 / step as u64 + 1
        } else {
            0
        }
    } else if s > e {
        (s - e - 1) as u64 / step.unsigned_abs() + 1
    } else {
        0
    };
    Ok((s, step, count as usize))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iota(dims: &[usize]) -> Tensor<u32> {
        let n = count(dims).unwrap();
        Tensor::new(dims.to_vec(), (0..n as u32).collect()).unwrap()
    }

    #[test]
    fn transpose_gather_tile_and_slice_move_elements() {
        let t = iota(&[2, 3]);
        assert_eq!(t.transpose(&[1, 0]).unwrap().data, vec![0, 3, 1, 4, 2, 5]);
        let idx = Tensor::new(vec![2], vec![2i64, -3]).unwrap();
        assert_eq!(t.gather(1, &idx).unwrap().data, vec![2, 0, 5, 3]);
        assert_eq!(
            t.tile(&[1, 2]).unwrap().data,
            vec![0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5]
        );
        let r = onnx_range(-1, i64::MIN, -1, 3).unwrap();
        assert_eq!(r, (2, -1, 3));
        let s = t.slice(&[(0, 1, 2), r]).unwrap();
        assert_eq!(s.data, vec![2, 1, 0, 5, 4, 3]);
        let nd = Tensor::new(vec![2, 2], vec![1i64, 0, 0, 2]).unwrap();
        assert_eq!(t.gather_nd(&nd, 0).unwrap().data, vec![3, 2]);
        assert_eq!(
            iota(&[1, 3]).broadcast_to(&[2, 3]).unwrap().data,
            vec![0, 1, 2, 0, 1, 2]
        );
        let c = Tensor::concat(&[&t, &t], 1).unwrap();
        assert_eq!(c.dims, vec![2, 6]);
        assert_eq!(c.data[..6], [0, 1, 2, 0, 1, 2]);
        assert!(t.transpose(&[0, 0]).is_err());
        assert!(count(&[1 << 20, 1 << 20]).is_err());
    }
}

//! depth_to_space / space_to_depth on the CPU: pure permutations, bit-exact by construction.

use ndarray::{Array4, ArrayView4, ArrayViewMut4};
use rayon::prelude::*;

use crate::error::{check_dims, try_zeros, Error, Result};
use crate::spec::{BlockOrder, BlockSpec, Layout};
use crate::tensor::Element;

/// Below this many elements a call runs on the calling thread only.
const PARALLEL_THRESHOLD: usize = 1 << 16;

/// Which way the rearrangement goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Channels to space: `[N, C·b², H, W] → [N, C, H·b, W·b]`.
    DepthToSpace,
    /// Space to channels: `[N, C, H·b, W·b] → [N, C·b², H, W]`.
    SpaceToDepth,
}

/// The output `[n, c, h, w]` of a rearrangement of an input `[n, c, h, w]`, or why it does not fit.
/// Every axis must be at least 1 (the output holds as many elements as the input).
pub fn output_dims(dims: [usize; 4], spec: BlockSpec, dir: Direction) -> Result<[usize; 4]> {
    check_dims("input", dims)?;
    let [n, c, h, w] = dims;
    let b = spec.block_size;
    if b == 0 {
        return Err(Error::ZeroOrNegativeSize {
            what: "block size".into(),
            value: 0,
        });
    }
    match dir {
        Direction::DepthToSpace => {
            let bb = b.checked_mul(b).ok_or_else(|| Error::SizeTooLarge {
                what: "block size squared".into(),
                value: (b as u128) * (b as u128),
                limit: usize::MAX as u128,
            })?;
            if c % bb != 0 {
                return Err(Error::BlockSizeMismatch {
                    block: b,
                    what: "channels".into(),
                    value: c,
                });
            }
            let oh = h.checked_mul(b);
            let ow = w.checked_mul(b);
            match (oh, ow) {
                (Some(oh), Some(ow)) => Ok([n, c / bb, oh, ow]),
                _ => Err(Error::SizeTooLarge {
                    what: "output height or width".into(),
                    value: (h.max(w) as u128) * b as u128,
                    limit: usize::MAX as u128,
                }),
            }
        }
        Direction::SpaceToDepth => {
            if h % b != 0 {
                return Err(Error::BlockSizeMismatch {
                    block: b,
                    what: "height".into(),
                    value: h,
                });
            }
            if w % b != 0 {
                return Err(Error::BlockSizeMismatch {
                    block: b,
                    what: "width".into(),
                    value: w,
                });
            }
            let oc = c.checked_mul(b * b).ok_or_else(|| Error::SizeTooLarge {
                what: "output channels".into(),
                value: (c as u128) * (b as u128) * (b as u128),
                limit: usize::MAX as u128,
            })?;
            Ok([n, oc, h / b, w / b])
        }
    }
}

/// The channel of the deep tensor that holds (shallow channel `c`, block row `i`, block column `j`).
#[inline]
pub fn deep_channel(
    order: BlockOrder,
    c: usize,
    i: usize,
    j: usize,
    b: usize,
    shallow_c: usize,
) -> usize {
    match order {
        BlockOrder::Dcr => (i * b + j) * shallow_c + c,
        BlockOrder::Crd => c * b * b + i * b + j,
    }
}

/// Rearranges `input` (in `layout`), returning a new array.
pub fn rearrange<T: Element>(
    input: ArrayView4<T>,
    layout: Layout,
    spec: BlockSpec,
    dir: Direction,
) -> Result<Array4<T>> {
    let dims = layout.nchw(input.dim().into());
    let out = output_dims(dims, spec, dir)?;
    let mut output = try_zeros("the output", layout.shape(out))?;
    rearrange_into(input, layout, spec, dir, output.view_mut())?;
    Ok(output)
}

/// Rearranges `input` into the caller's `output`, which must have the resulting shape.
pub fn rearrange_into<T: Element>(
    input: ArrayView4<T>,
    layout: Layout,
    spec: BlockSpec,
    dir: Direction,
    output: ArrayViewMut4<T>,
) -> Result<()> {
    let dims = layout.nchw(input.dim().into());
    let out = output_dims(dims, spec, dir)?;
    let expected = layout.shape(out);
    let got: [usize; 4] = output.dim().into();
    if got != expected {
        return Err(Error::ShapeMismatch {
            what: format!("output array ({})", layout.name()),
            expected: expected.to_vec(),
            got: got.to_vec(),
        });
    }
    let src = input.as_standard_layout();
    let src = src.as_slice().expect("standard layout is contiguous");
    super::write_standard(output, |dst| run(src, dims, out, layout, spec, dir, dst))
}

/// (shallow channel, block row, block column) of deep channel `deep`: the inverse of
/// [`deep_channel`].
#[inline]
fn shallow_of(order: BlockOrder, deep: usize, b: usize, shallow_c: usize) -> (usize, usize, usize) {
    match order {
        BlockOrder::Dcr => {
            let ij = deep / shallow_c;
            (deep % shallow_c, ij / b, ij % b)
        }
        BlockOrder::Crd => {
            let rem = deep % (b * b);
            (deep / (b * b), rem / b, rem % b)
        }
    }
}

/// Moves whole rows: an output row of an NCHW tensor interleaves (depth_to_space) or
/// de-interleaves (space_to_depth) `b` source rows; an output row of an NHWC tensor copies
/// channel runs pixel by pixel.
fn run<T: Element>(
    src: &[T],
    in_dims: [usize; 4],
    out_dims: [usize; 4],
    layout: Layout,
    spec: BlockSpec,
    dir: Direction,
    dst: &mut [T],
) {
    let b = spec.block_size;
    let [_, ic, ih, iw] = in_dims;
    let [_, oc, oh, ow] = out_dims;
    // One output row: W elements of one (n, c, h) for NCHW, all pixels of one (n, h) for NHWC.
    let row_len = match layout {
        Layout::Nchw => ow,
        Layout::Nhwc => ow * oc,
    };
    if row_len == 0 || dst.is_empty() {
        return;
    }
    let nchw_row = |n: usize, c: usize, h: usize| &src[((n * ic + c) * ih + h) * iw..][..iw];
    let nhwc_px = |n: usize, h: usize, w: usize| &src[((n * ih + h) * iw + w) * ic..][..ic];
    let row_job = |(r, row): (usize, &mut [T])| match (layout, dir) {
        (Layout::Nchw, Direction::DepthToSpace) => {
            let (n, c, h) = (r / (oc * oh), (r / oh) % oc, r % oh);
            let i = h % b;
            if b == 2 {
                let s0 = nchw_row(n, deep_channel(spec.order, c, i, 0, b, oc), h / b);
                let s1 = nchw_row(n, deep_channel(spec.order, c, i, 1, b, oc), h / b);
                for (o, (&a, &c1)) in row.chunks_exact_mut(2).zip(s0.iter().zip(s1)) {
                    o[0] = a;
                    o[1] = c1;
                }
            } else {
                for j in 0..b {
                    let s = nchw_row(n, deep_channel(spec.order, c, i, j, b, oc), h / b);
                    for (o, &v) in row.iter_mut().skip(j).step_by(b).zip(s) {
                        *o = v;
                    }
                }
            }
        }
        (Layout::Nchw, Direction::SpaceToDepth) => {
            let (n, c, h) = (r / (oc * oh), (r / oh) % oc, r % oh);
            let (sc, i, j) = shallow_of(spec.order, c, b, ic);
            let s = nchw_row(n, sc, h * b + i);
            for (o, chunk) in row.iter_mut().zip(s.chunks_exact(b)) {
                *o = chunk[j];
            }
        }
        (Layout::Nhwc, Direction::DepthToSpace) => {
            let (n, h) = (r / oh, r % oh);
            let i = h % b;
            for (w, px) in row.chunks_exact_mut(oc).enumerate() {
                let j = w % b;
                let s = nhwc_px(n, h / b, w / b);
                match spec.order {
                    BlockOrder::Dcr => px.copy_from_slice(&s[(i * b + j) * oc..][..oc]),
                    BlockOrder::Crd => {
                        for (o, &v) in px.iter_mut().zip(s[i * b + j..].iter().step_by(b * b)) {
                            *o = v;
                        }
                    }
                }
            }
        }
        (Layout::Nhwc, Direction::SpaceToDepth) => {
            let (n, h) = (r / oh, r % oh);
            for (w, px) in row.chunks_exact_mut(oc).enumerate() {
                for i in 0..b {
                    for j in 0..b {
                        let s = nhwc_px(n, h * b + i, w * b + j);
                        match spec.order {
                            BlockOrder::Dcr => px[(i * b + j) * ic..][..ic].copy_from_slice(s),
                            BlockOrder::Crd => {
                                for (o, &v) in px[i * b + j..].iter_mut().step_by(b * b).zip(s) {
                                    *o = v;
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    if dst.len() < PARALLEL_THRESHOLD {
        dst.chunks_mut(row_len).enumerate().for_each(row_job);
    } else {
        dst.par_chunks_mut(row_len)
            .enumerate()
            .with_min_len((PARALLEL_THRESHOLD / row_len).max(1))
            .for_each(row_job);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array;

    /// Core ML's ReorganizeData documentation example: C=8, H=1, W=2, values 1..16.
    #[test]
    fn coreml_documented_examples() {
        let x = Array::from_shape_vec((1, 8, 1, 2), (1..=16).map(|v| v as f32).collect()).unwrap();
        let dcr = rearrange(
            x.view(),
            Layout::Nchw,
            BlockSpec::new(2, BlockOrder::Dcr).unwrap(),
            Direction::DepthToSpace,
        )
        .unwrap();
        let want_dcr = [
            1., 5., 2., 6., 9., 13., 10., 14., 3., 7., 4., 8., 11., 15., 12., 16.,
        ];
        assert_eq!(dcr.as_slice().unwrap(), &want_dcr);
        let crd = rearrange(
            x.view(),
            Layout::Nchw,
            BlockSpec::new(2, BlockOrder::Crd).unwrap(),
            Direction::DepthToSpace,
        )
        .unwrap();
        let want_crd = [
            1., 3., 2., 4., 5., 7., 6., 8., 9., 11., 10., 12., 13., 15., 14., 16.,
        ];
        assert_eq!(crd.as_slice().unwrap(), &want_crd);
    }

    #[test]
    fn space_to_depth_inverts_depth_to_space() {
        for order in [BlockOrder::Dcr, BlockOrder::Crd] {
            for layout in [Layout::Nchw, Layout::Nhwc] {
                let x = Array::from_shape_fn((2, 18, 2, 3), |(a, b, c, d)| {
                    (a * 1000 + b * 100 + c * 10 + d) as f32
                });
                let x = match layout {
                    Layout::Nchw => x,
                    Layout::Nhwc => x
                        .permuted_axes([0, 2, 3, 1])
                        .as_standard_layout()
                        .to_owned(),
                };
                let spec = BlockSpec::new(3, order).unwrap();
                let y = rearrange(x.view(), layout, spec, Direction::DepthToSpace).unwrap();
                let z = rearrange(y.view(), layout, spec, Direction::SpaceToDepth).unwrap();
                assert_eq!(x, z);
            }
        }
    }

    #[test]
    fn refuses_block_sizes_that_do_not_divide() {
        let x = Array4::<f32>::zeros((1, 6, 2, 2));
        let spec = BlockSpec::new(2, BlockOrder::Dcr).unwrap();
        assert!(matches!(
            rearrange(x.view(), Layout::Nchw, spec, Direction::DepthToSpace),
            Err(Error::BlockSizeMismatch { .. })
        ));
        let x = Array4::<f32>::zeros((1, 1, 3, 4));
        assert!(matches!(
            rearrange(x.view(), Layout::Nchw, spec, Direction::SpaceToDepth),
            Err(Error::BlockSizeMismatch { .. })
        ));
    }
}

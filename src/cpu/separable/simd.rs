//! An AVX2 kernel of the fast path: the integer sums `Σ v·c` of a horizontal pass on one-value
//! pixels (an NCHW plane, or a one-channel image) of 8-bit values, where every output reads
//! consecutive sources and every coefficient fits in i16 (PyTorch's uint8 tables, OpenCV's
//! 8-bit `INTER_LINEAR` / `INTER_CUBIC` / `INTER_LANCZOS4` horizontal coefficients).
//!
//! Why it computes the same integers as the generic path: the sum is of integers, and the
//! analysis (`fast::kernel`) proved that `(largest value) · Σ|c|` fits in i32, so no partial sum
//! of any order overflows and the order of the additions cannot change the result. The kernel
//! multiplies 16 values by 16 coefficients at once (`vpmaddwd`: the exact i32 products of u8
//! values and i16 coefficients, added in pairs), over a window padded with zero coefficients to
//! a multiple of 16 (a real byte of the row times 0 adds 0). Outputs whose padded window would
//! run past the row's end take the scalar sum.

/// The horizontal taps of one pass as the kernel reads them: per output its first source index
/// and its coefficients as i16, zero-padded to `stride` (a multiple of 16).
#[derive(Debug, Default)]
pub(super) struct Taps16 {
    /// First source index of each output.
    pub starts: Vec<u32>,
    /// Number of taps of each output.
    pub counts: Vec<u32>,
    /// `out_len · stride` coefficients.
    pub coefs: Vec<i16>,
    /// Coefficients per output (a multiple of 16).
    pub stride: usize,
}

impl Taps16 {
    /// Fills `self` from a table whose outputs read consecutive sources and whose coefficients
    /// all fit in i16 (`starts`, `counts` and `coefs` as the table gives them, `width` entries per
    /// output). Returns `false`, leaving `self` unusable, where a coefficient does not fit.
    pub fn fill(&mut self, indices: &[u32], counts: &[u32], coefs: &[i32], width: usize) -> bool {
        let out_len = counts.len();
        let widest = counts.iter().copied().max().unwrap_or(0) as usize;
        self.stride = widest.div_ceil(16).max(1) * 16;
        self.starts.clear();
        self.counts.clear();
        self.coefs.clear();
        self.coefs.resize(out_len * self.stride, 0);
        for o in 0..out_len {
            let n = counts[o] as usize;
            self.starts
                .push(if n == 0 { 0 } else { indices[o * width] });
            self.counts.push(n as u32);
            for k in 0..n {
                let Ok(c) = i16::try_from(coefs[o * width + k]) else {
                    return false;
                };
                self.coefs[o * self.stride + k] = c;
            }
        }
        true
    }

    /// The scalar sum of output `o` over its real taps (the generic path's `int_tap` sum).
    #[inline(always)]
    fn scalar(&self, src: &[u8], o: usize) -> i32 {
        let i0 = self.starts[o] as usize;
        let n = self.counts[o] as usize;
        let c = &self.coefs[o * self.stride..o * self.stride + n];
        src[i0..i0 + n].iter().zip(c).fold(0i32, |acc, (&v, &c)| {
            super::int_tap(acc, v as i32, c as i32)
        })
    }

    /// The sums of outputs `outputs` (`sums[k]` for output `outputs.start + k`) over the row
    /// `src`.
    pub fn sums(&self, src: &[u8], outputs: std::ops::Range<usize>, sums: &mut [i32]) {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx2") {
                // SAFETY: the CPU supports AVX2, checked just above.
                unsafe { self.sums_avx2(src, outputs, sums) };
                return;
            }
        }
        for (s, o) in sums.iter_mut().zip(outputs) {
            *s = self.scalar(src, o);
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn sums_avx2(&self, src: &[u8], outputs: std::ops::Range<usize>, sums: &mut [i32]) {
        use std::arch::x86_64::*;
        let stride = self.stride;
        let chunks = stride / 16;
        // Whether output `o`'s padded window lies inside the row.
        let fits = |o: usize| self.starts[o] as usize + stride <= src.len();
        // The eight i32 partial sums of output `o` (the padded window's products in pairs).
        let partial = |o: usize| -> __m256i {
            let base = src.as_ptr().add(self.starts[o] as usize);
            let coefs = self.coefs.as_ptr().add(o * stride);
            let mut acc = _mm256_setzero_si256();
            for j in 0..chunks {
                // SAFETY (of the loads): `fits(o)` holds, so the 16 bytes at `base + 16j` lie in
                // `src`, and the 16 coefficients at `coefs + 16j` lie in output `o`'s stride.
                let v = _mm_loadu_si128(base.add(16 * j) as *const __m128i);
                let c = _mm256_loadu_si256(coefs.add(16 * j) as *const __m256i);
                acc = _mm256_add_epi32(acc, _mm256_madd_epi16(_mm256_cvtepu8_epi16(v), c));
            }
            acc
        };
        let (o0, o1) = (outputs.start, outputs.end);
        let mut o = o0;
        while o < o1 {
            if o + 4 <= o1 && fits(o) && fits(o + 1) && fits(o + 2) && fits(o + 3) {
                // Four outputs' eight partial sums folded into four sums.
                let a = _mm256_hadd_epi32(partial(o), partial(o + 1));
                let b = _mm256_hadd_epi32(partial(o + 2), partial(o + 3));
                let s = _mm256_hadd_epi32(a, b);
                let s = _mm_add_epi32(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1));
                _mm_storeu_si128(sums.as_mut_ptr().add(o - o0) as *mut __m128i, s);
                o += 4;
            } else {
                sums[o - o0] = if fits(o) {
                    let p = partial(o);
                    let s =
                        _mm_add_epi32(_mm256_castsi256_si128(p), _mm256_extracti128_si256(p, 1));
                    let s = _mm_hadd_epi32(s, s);
                    let s = _mm_hadd_epi32(s, s);
                    _mm_cvtsi128_si32(s)
                } else {
                    self.scalar(src, o)
                };
                o += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The AVX2 sums (where the CPU has AVX2) equal the scalar ones, windows near the row's end
    /// included.
    #[test]
    fn sums_equal_scalar_sums() {
        let src: Vec<u8> = (0..203u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
            .collect();
        for taps in [1usize, 2, 7, 16, 17, 33] {
            let out_len = 61;
            let width = taps;
            let mut indices = Vec::new();
            let mut coefs = Vec::new();
            let counts = vec![taps as u32; out_len];
            for o in 0..out_len {
                let i0 = (o * (src.len() - taps)) / (out_len - 1);
                for k in 0..taps {
                    indices.push((i0 + k) as u32);
                    coefs.push(
                        ((o * 37 + k * 11) % 700) as i32 - 350
                            + if k == 0 { 32767 - 350 } else { 0 },
                    );
                }
            }
            let mut t = Taps16::default();
            assert!(t.fill(&indices, &counts, &coefs, width));
            let mut sums = vec![0; out_len];
            t.sums(&src, 0..out_len, &mut sums);
            for (o, &s) in sums.iter().enumerate() {
                assert_eq!(s, t.scalar(&src, o), "taps {taps} output {o}");
                let want: i64 = (0..taps)
                    .map(|k| {
                        src[indices[o * width + k] as usize] as i64 * coefs[o * width + k] as i64
                    })
                    .sum();
                assert_eq!(s as i64, want);
            }
        }
    }

    #[test]
    fn refuses_coefficients_beyond_i16() {
        let mut t = Taps16::default();
        assert!(!t.fill(&[0, 1], &[2], &[1 << 15, 0], 2));
    }
}

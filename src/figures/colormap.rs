//! Colour maps and colour scales: a perceptual sequential map (viridis) for values, a diverging
//! map (ColorBrewer RdBu, blue below zero, red above) for differences, and the one colour NaN is
//! drawn in.
//!
//! Both maps are colorous's (`colorous::VIRIDIS`, matplotlib's viridis; `colorous::RED_BLUE`,
//! ColorBrewer's RdBu as d3-scale-chromatic interpolates it), evaluated at positions quantized to
//! [`LEVELS`] steps, so that a value renders to the same colour wherever it is drawn — in a PNG,
//! in a colour bar, in a GIF frame (whose palette holds at most 256 colours: the levels, NaN, and
//! the few colours of the text and background all fit).

use image::Rgb;

/// How many distinct colours a map produces (positions are rounded to `LEVELS` steps; odd, so
/// that the middle, the colour of zero on a diverging scale, is one of them).
pub const LEVELS: u32 = 249;

/// The colour of NaN values in every map: magenta, which neither map produces.
pub const NAN_COLOR: Rgb<u8> = Rgb([255, 0, 255]);

/// A colour map: positions in `[0, 1]` to colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ColorMap {
    /// Viridis: dark purple (low) through teal to yellow (high); perceptually uniform, readable
    /// in grey and by colour-blind readers.
    Viridis,
    /// RdBu (reversed): blue (negative), near-white (zero, position 0.5), red (positive).
    Diverging,
}

impl ColorMap {
    /// The colour at position `t` (clamped to `[0, 1]`; NaN gives [`NAN_COLOR`]), after rounding
    /// `t` to one of [`LEVELS`] steps.
    pub fn at(self, t: f64) -> Rgb<u8> {
        if t.is_nan() {
            return NAN_COLOR;
        }
        let level = (t.clamp(0.0, 1.0) * f64::from(LEVELS - 1)).round();
        let t = level / f64::from(LEVELS - 1);
        let c = match self {
            ColorMap::Viridis => colorous::VIRIDIS.eval_continuous(t),
            // colorous runs red to blue; the difference maps put blue below zero.
            ColorMap::Diverging => colorous::RED_BLUE.eval_continuous(1.0 - t),
        };
        Rgb([c.r, c.g, c.b])
    }

    /// A short name for legends: `viridis` or `RdBu (diverging)`.
    pub fn name(self) -> &'static str {
        match self {
            ColorMap::Viridis => "viridis",
            ColorMap::Diverging => "RdBu (diverging)",
        }
    }
}

/// A fixed mapping from values to colours: `low` to the map's first colour, `high` to its last,
/// linear in between, values outside clamped to the ends, NaN to [`NAN_COLOR`].
///
/// When `low == high` (a constant image, or differences that are all zero) every finite value
/// takes the middle colour: there is nothing to divide by, and for a diverging scale the middle
/// is the colour of zero.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ColorScale {
    /// The colour map.
    pub map: ColorMap,
    /// The value drawn in the map's first colour.
    pub low: f64,
    /// The value drawn in the map's last colour.
    pub high: f64,
}

impl ColorScale {
    /// A viridis scale from the smallest to the largest finite value of all the `values` given
    /// (infinities are drawn at the ends, NaN in [`NAN_COLOR`]); `0..0` when none is finite.
    pub fn spanning<'a>(values: impl IntoIterator<Item = &'a f32>) -> ColorScale {
        let (low, high) = finite_range(values).unwrap_or((0.0, 0.0));
        ColorScale {
            map: ColorMap::Viridis,
            low,
            high,
        }
    }

    /// A diverging scale from `-max_abs` to `+max_abs`, zero in the middle. A non-finite or
    /// negative `max_abs` is taken as 0.
    pub fn symmetric(max_abs: f64) -> ColorScale {
        let m = if max_abs.is_finite() && max_abs > 0.0 {
            max_abs
        } else {
            0.0
        };
        ColorScale {
            map: ColorMap::Diverging,
            low: -m,
            high: m,
        }
    }

    /// Where `v` falls on the map, in `[0, 1]` (NaN for NaN; 0.5 when `low == high`).
    pub fn position(&self, v: f32) -> f64 {
        let v = f64::from(v);
        if v.is_nan() {
            return f64::NAN;
        }
        let span = self.high - self.low;
        if span.is_finite() && span > 0.0 {
            ((v - self.low) / span).clamp(0.0, 1.0)
        } else if v == self.low || self.low.is_nan() {
            0.5
        } else if v < self.low {
            0.0
        } else {
            1.0
        }
    }

    /// The colour of `v`.
    pub fn color(&self, v: f32) -> Rgb<u8> {
        self.map.at(self.position(v))
    }
}

/// The smallest and largest finite values, or `None` when there is none.
pub fn finite_range<'a>(values: impl IntoIterator<Item = &'a f32>) -> Option<(f64, f64)> {
    values
        .into_iter()
        .filter(|v| v.is_finite())
        .fold(None, |acc, &v| {
            let v = f64::from(v);
            Some(match acc {
                None => (v, v),
                Some((lo, hi)) => (lo.min(v), hi.max(v)),
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ends_are_the_tables_ends_and_nan_is_none_of_the_maps_colours() {
        // matplotlib's viridis ends at #440154 and #fde725.
        assert_eq!(ColorMap::Viridis.at(0.0), Rgb([0x44, 0x01, 0x54]));
        assert_eq!(ColorMap::Viridis.at(1.0), Rgb([0xfd, 0xe7, 0x25]));
        // RdBu: dark blue below zero, a near-white grey at zero, dark red above.
        let [r, g, b] = ColorMap::Diverging.at(0.0).0;
        assert!(b > 90 && r < 20, "{:?}", (r, g, b));
        let [r, g, b] = ColorMap::Diverging.at(0.5).0;
        assert!(
            r.min(g).min(b) > 230 && r.max(g).max(b) - r.min(g).min(b) < 12,
            "{:?}",
            (r, g, b)
        );
        let [r, g, b] = ColorMap::Diverging.at(1.0).0;
        assert!(r > 90 && b < 40, "{:?}", (r, g, b));
        for i in 0..=1000 {
            let t = f64::from(i) / 1000.0;
            assert_ne!(ColorMap::Viridis.at(t), NAN_COLOR);
            assert_ne!(ColorMap::Diverging.at(t), NAN_COLOR);
        }
        assert_eq!(ColorMap::Viridis.at(f64::NAN), NAN_COLOR);
    }

    #[test]
    fn a_map_has_at_most_levels_colours_and_viridis_gets_brighter() {
        let mut seen = std::collections::BTreeSet::new();
        let mut last_luma = -1.0;
        for i in 0..=10_000 {
            let c = ColorMap::Viridis.at(f64::from(i) / 10_000.0);
            seen.insert(c.0);
            let luma = 0.299 * f64::from(c[0]) + 0.587 * f64::from(c[1]) + 0.114 * f64::from(c[2]);
            assert!(luma >= last_luma - 1.0, "viridis is monotone in lightness");
            last_luma = luma;
        }
        assert!(
            seen.len() <= LEVELS as usize && seen.len() > 200,
            "{}",
            seen.len()
        );
    }

    #[test]
    fn constant_and_degenerate_scales_do_not_divide_by_zero() {
        let s = ColorScale::spanning(&[3.0f32, 3.0]);
        assert_eq!(s.position(3.0), 0.5);
        assert_eq!(s.position(2.0), 0.0);
        assert_eq!(s.position(4.0), 1.0);
        let z = ColorScale::symmetric(0.0);
        assert_eq!(z.color(0.0), ColorMap::Diverging.at(0.5));
        let none = ColorScale::spanning(&[f32::NAN, f32::INFINITY]);
        assert_eq!((none.low, none.high), (0.0, 0.0));
        assert_eq!(none.color(f32::NAN), NAN_COLOR);
        let wide = ColorScale::spanning(&[f32::MIN, f32::MAX]);
        assert_eq!(wide.position(0.0), 0.5);
        assert_eq!(wide.position(f32::INFINITY), 1.0);
    }
}

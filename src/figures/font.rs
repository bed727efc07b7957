//! A 5×7 bitmap font (plus two rows for the descenders of g, j, p, q, y) for titles and
//! colour-bar labels, so the pictures carry their own captions without a font dependency.
//!
//! Why not ab_glyph (or plotters, whose bitmap backend draws text through ab_glyph or the
//! system's fonts): ab_glyph rasterises outline fonts but ships none, so a TTF and its licence
//! would have to be embedded (DejaVu Sans Mono is 335 KiB, a third of this package), and plotters
//! needs the system's fonts (font-kit) or such an embedded one. Its glyphs are anti-aliased
//! coverage: every label would add shades of grey to pictures whose GIF frames have a
//! 256-colour palette that the colour maps' [`LEVELS`](super::LEVELS) colours, NaN, the inks and
//! the background already fill, so the frames would have to be dithered. Two colours per glyph
//! keep every frame's palette exact.
//!
//! It covers lowercase letters (uppercase is drawn as lowercase), digits, and
//! ` . , : _ - + = ( ) [ ] | / ' * < > ? !`; `×` is drawn as `x` and `−` as `-`. Any other
//! character is drawn as a hollow box. Drawing clips at the image's edges, never panics.

use image::{Rgb, RgbImage};

/// Glyph width in font pixels.
pub const GLYPH_WIDTH: u32 = 5;
/// Glyph height in font pixels: 7 rows above the baseline and 2 for descenders.
pub const GLYPH_HEIGHT: u32 = 9;
/// Horizontal advance per character in font pixels (glyph plus one pixel of spacing).
pub const ADVANCE: u32 = GLYPH_WIDTH + 1;

type Glyph = [&'static str; 7];

const BOX: Glyph = [
    "#####", "#...#", "#...#", "#...#", "#...#", "#...#", "#####",
];

/// Letters that reach below the baseline, all 9 rows.
#[rustfmt::skip]
const DESCENDERS: &[(char, [&str; 9])] = &[
    ('g', [".....", ".....", ".####", "#...#", "#...#", "#...#", ".####", "....#", ".###."]),
    ('j', ["...#.", ".....", "..##.", "...#.", "...#.", "...#.", "...#.", "#..#.", ".##.."]),
    ('p', [".....", ".....", "####.", "#...#", "#...#", "#...#", "####.", "#....", "#...."]),
    ('q', [".....", ".....", ".####", "#...#", "#...#", "#...#", ".####", "....#", "....#"]),
    ('y', [".....", ".....", "#...#", "#...#", "#...#", "#...#", ".####", "....#", ".###."]),
];

/// Every other glyph: the 7 rows above the baseline.
#[rustfmt::skip]
const GLYPHS: &[(char, Glyph)] = &[
    (' ', [".....", ".....", ".....", ".....", ".....", ".....", "....."]),
    ('a', [".....", ".....", ".###.", "....#", ".####", "#...#", ".####"]),
    ('b', ["#....", "#....", "#.##.", "##..#", "#...#", "#...#", "####."]),
    ('c', [".....", ".....", ".###.", "#....", "#....", "#...#", ".###."]),
    ('d', ["....#", "....#", ".##.#", "#..##", "#...#", "#...#", ".####"]),
    ('e', [".....", ".....", ".###.", "#...#", "#####", "#....", ".###."]),
    ('f', ["..##.", ".#..#", ".#...", "###..", ".#...", ".#...", ".#..."]),
    ('h', ["#....", "#....", "#.##.", "##..#", "#...#", "#...#", "#...#"]),
    ('i', ["..#..", ".....", ".##..", "..#..", "..#..", "..#..", ".###."]),
    ('k', ["#....", "#....", "#..#.", "#.#..", "##...", "#.#..", "#..#."]),
    ('l', [".##..", "..#..", "..#..", "..#..", "..#..", "..#..", ".###."]),
    ('m', [".....", ".....", "##.#.", "#.#.#", "#.#.#", "#...#", "#...#"]),
    ('n', [".....", ".....", "#.##.", "##..#", "#...#", "#...#", "#...#"]),
    ('o', [".....", ".....", ".###.", "#...#", "#...#", "#...#", ".###."]),
    ('r', [".....", ".....", "#.##.", "##..#", "#....", "#....", "#...."]),
    ('s', [".....", ".....", ".####", "#....", ".###.", "....#", "####."]),
    ('t', [".#...", ".#...", "###..", ".#...", ".#...", ".#..#", "..##."]),
    ('u', [".....", ".....", "#...#", "#...#", "#...#", "#..##", ".##.#"]),
    ('v', [".....", ".....", "#...#", "#...#", "#...#", ".#.#.", "..#.."]),
    ('w', [".....", ".....", "#...#", "#...#", "#.#.#", "#.#.#", ".#.#."]),
    ('x', [".....", ".....", "#...#", ".#.#.", "..#..", ".#.#.", "#...#"]),
    ('z', [".....", ".....", "#####", "...#.", "..#..", ".#...", "#####"]),
    ('0', [".###.", "#...#", "#..##", "#.#.#", "##..#", "#...#", ".###."]),
    ('1', ["..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###."]),
    ('2', [".###.", "#...#", "....#", "...#.", "..#..", ".#...", "#####"]),
    ('3', ["#####", "...#.", "..#..", "...#.", "....#", "#...#", ".###."]),
    ('4', ["...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#."]),
    ('5', ["#####", "#....", "####.", "....#", "....#", "#...#", ".###."]),
    ('6', ["..##.", ".#...", "#....", "####.", "#...#", "#...#", ".###."]),
    ('7', ["#####", "....#", "...#.", "..#..", ".#...", ".#...", ".#..."]),
    ('8', [".###.", "#...#", "#...#", ".###.", "#...#", "#...#", ".###."]),
    ('9', [".###.", "#...#", "#...#", ".####", "....#", "...#.", ".##.."]),
    ('.', [".....", ".....", ".....", ".....", ".....", ".##..", ".##.."]),
    (',', [".....", ".....", ".....", ".....", ".##..", "..#..", ".#..."]),
    (':', [".....", ".##..", ".##..", ".....", ".##..", ".##..", "....."]),
    ('_', [".....", ".....", ".....", ".....", ".....", ".....", "#####"]),
    ('-', [".....", ".....", ".....", "#####", ".....", ".....", "....."]),
    ('+', [".....", "..#..", "..#..", "#####", "..#..", "..#..", "....."]),
    ('=', [".....", ".....", "#####", ".....", "#####", ".....", "....."]),
    ('(', ["...#.", "..#..", ".#...", ".#...", ".#...", "..#..", "...#."]),
    (')', [".#...", "..#..", "...#.", "...#.", "...#.", "..#..", ".#..."]),
    ('[', [".###.", ".#...", ".#...", ".#...", ".#...", ".#...", ".###."]),
    (']', [".###.", "...#.", "...#.", "...#.", "...#.", "...#.", ".###."]),
    ('|', ["..#..", "..#..", "..#..", "..#..", "..#..", "..#..", "..#.."]),
    ('/', [".....", "....#", "...#.", "..#..", ".#...", "#....", "....."]),
    ('\'', ["..#..", "..#..", ".#...", ".....", ".....", ".....", "....."]),
    ('*', [".....", "..#..", "#.#.#", ".###.", "#.#.#", "..#..", "....."]),
    ('<', ["...#.", "..#..", ".#...", "#....", ".#...", "..#..", "...#."]),
    ('>', [".#...", "..#..", "...#.", "....#", "...#.", "..#..", ".#..."]),
    ('?', [".###.", "#...#", "....#", "...#.", "..#..", ".....", "..#.."]),
    ('!', ["..#..", "..#..", "..#..", "..#..", "..#..", ".....", "..#.."]),
];

fn normalize(c: char) -> char {
    match c {
        '×' => 'x',
        '−' | '–' => '-',
        c => c.to_ascii_lowercase(),
    }
}

/// The rows of the glyph drawn for `c`, top to bottom (7 or 9).
fn glyph(c: char) -> &'static [&'static str] {
    let c = normalize(c);
    if let Some((_, rows)) = DESCENDERS.iter().find(|(g, _)| *g == c) {
        return rows;
    }
    GLYPHS
        .iter()
        .find(|(g, _)| *g == c)
        .map_or(&BOX, |(_, rows)| rows)
}

/// Whether `c` has a glyph of its own (not the hollow box).
pub fn has_glyph(c: char) -> bool {
    let c = normalize(c);
    DESCENDERS.iter().any(|(g, _)| *g == c) || GLYPHS.iter().any(|(g, _)| *g == c)
}

/// The width in image pixels of `text` drawn at `scale` (each font pixel a `scale`×`scale`
/// square): the advance of every character but the last spacing column.
pub fn text_width(text: &str, scale: u32) -> u32 {
    let n = text.chars().count() as u32;
    (n * ADVANCE).saturating_sub(1).saturating_mul(scale)
}

/// The height in image pixels of one line drawn at `scale`.
pub fn text_height(scale: u32) -> u32 {
    GLYPH_HEIGHT * scale
}

/// Draws `text` with its top-left corner at (`x`, `y`), each font pixel a `scale`×`scale` square
/// of `color`; what falls outside the image is clipped.
pub fn draw_text(image: &mut RgbImage, x: i64, y: i64, text: &str, scale: u32, color: Rgb<u8>) {
    let s = i64::from(scale);
    for (k, c) in text.chars().enumerate() {
        let gx = x + k as i64 * i64::from(ADVANCE) * s;
        for (row, bits) in glyph(c).iter().enumerate() {
            for (col, bit) in bits.bytes().enumerate() {
                if bit != b'#' {
                    continue;
                }
                let (px, py) = (gx + col as i64 * s, y + row as i64 * s);
                fill(image, px, py, scale, scale, color);
            }
        }
    }
}

/// Fills a `w`×`h` rectangle at (`x`, `y`), clipped to the image.
pub fn fill(image: &mut RgbImage, x: i64, y: i64, w: u32, h: u32, color: Rgb<u8>) {
    let x0 = x.clamp(0, i64::from(image.width()));
    let y0 = y.clamp(0, i64::from(image.height()));
    let x1 = (x + i64::from(w)).clamp(0, i64::from(image.width()));
    let y1 = (y + i64::from(h)).clamp(0, i64::from(image.height()));
    for py in y0..y1 {
        for px in x0..x1 {
            image.put_pixel(px as u32, py as u32, color);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_glyph_is_five_by_seven_and_listed_once() {
        let mut seen = std::collections::BTreeSet::new();
        let all = GLYPHS
            .iter()
            .map(|(c, r)| (*c, &r[..]))
            .chain(DESCENDERS.iter().map(|(c, r)| (*c, &r[..])));
        for (c, rows) in all {
            assert!(seen.insert(c), "{c:?} listed twice");
            for r in rows {
                assert_eq!(r.len(), GLYPH_WIDTH as usize, "{c:?}");
                assert!(r.bytes().all(|b| b == b'#' || b == b'.'), "{c:?}");
            }
        }
        for c in "abcdefghijklmnopqrstuvwxyz0123456789.-+e".chars() {
            assert!(has_glyph(c), "{c:?}");
        }
        assert!(has_glyph('A') && has_glyph('×') && !has_glyph('@'));
    }

    #[test]
    fn text_is_drawn_where_asked_and_clipped_at_the_edges() {
        let mut img = RgbImage::from_pixel(40, 20, Rgb([255, 255, 255]));
        draw_text(&mut img, 1, 1, "1", 2, Rgb([0, 0, 0]));
        // '1' has its top pixel in column 2, row 0: at (1 + 2·2, 1) with scale 2.
        assert_eq!(img.get_pixel(5, 1), &Rgb([0, 0, 0]));
        assert_eq!(img.get_pixel(1, 1), &Rgb([255, 255, 255]));
        draw_text(
            &mut img,
            -100,
            -100,
            "wide text off the edge",
            3,
            Rgb([0, 0, 0]),
        );
        draw_text(&mut img, 35, 15, "clipped", 4, Rgb([0, 0, 0]));
        assert_eq!(text_width("ab", 2), 22);
        assert_eq!(text_width("", 2), 0);
    }
}

// Tap-table accessors shared by the resize kernels (prepended to resize.wgsl and texture.wgsl,
// which declare the `taps` storage buffer).
//
// Layout for one axis of `out_len` outputs and `width` taps per output, starting at word `base`:
//   taps[base + o]                                      tap count | 0x80000000 when extrapolated
//   taps[base + out_len + o*width + k]                  source index
//   taps[base + out_len + out_len*width + o*width + k]  weight (f32 bits)

fn tap_count(base: u32, o: u32) -> u32 {
    return taps[base + o] & 0x7fffffffu;
}

fn extrapolated(base: u32, o: u32) -> bool {
    return (taps[base + o] & 0x80000000u) != 0u;
}

fn tap_index(base: u32, out_len: u32, width: u32, o: u32, k: u32) -> u32 {
    return taps[base + out_len + o * width + k];
}

fn tap_weight(base: u32, out_len: u32, width: u32, o: u32, k: u32) -> f32 {
    return bitcast<f32>(taps[base + out_len + out_len * width + o * width + k]);
}

// Where output o's taps start: its source indices at taps[at], its weights at taps[at + gap].
struct TapRow {
    at: u32,
    gap: u32,
}

fn tap_row(base: u32, out_len: u32, width: u32, o: u32) -> TapRow {
    return TapRow(base + out_len + o * width, out_len * width);
}

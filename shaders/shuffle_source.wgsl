// The source (channel, row, column) of output (c, h, w) of depth_to_space (`to_space`) or
// space_to_depth with block `b`, in CRD or DCR order; shared by pixel_shuffle.wgsl and texture.wgsl.
// `b_shift` is log2(b) when b is a power of two (then quotients and remainders by b are shifts
// and masks), otherwise 32.

// (v / d, v % d) for d = 2^shift when shift < 32, otherwise by division.
fn div_rem(v: u32, d: u32, shift: u32) -> vec2<u32> {
    if (shift < 32u) {
        return vec2<u32>(v >> shift, v & (d - 1u));
    }
    let q = v / d;
    return vec2<u32>(q, v - q * d);
}

fn shuffle_source(to_space: bool, crd: bool, b: u32, b_shift: u32, c: u32, h: u32, w: u32, c_in: u32, c_out: u32) -> vec3<u32> {
    if (to_space) {
        let hq = div_rem(h, b, b_shift);
        let wq = div_rem(w, b, b_shift);
        var sc: u32;
        if (crd) {
            sc = c * b * b + hq.y * b + wq.y;
        } else {
            sc = (hq.y * b + wq.y) * c_out + c;
        }
        return vec3<u32>(sc, hq.x, wq.x);
    }
    var sc: u32;
    var ij: vec2<u32>;
    if (crd) {
        var bb_shift = 32u;
        if (b_shift < 16u) {
            bb_shift = 2u * b_shift;
        }
        let cq = div_rem(c, b * b, bb_shift);
        sc = cq.x;
        ij = div_rem(cq.y, b, b_shift);
    } else {
        let q = c / c_in;
        sc = c - q * c_in;
        ij = div_rem(q, b, b_shift);
    }
    return vec3<u32>(sc, h * b + ij.x, w * b + ij.y);
}

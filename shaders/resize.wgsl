// halfpixel resize kernels over storage buffers.
//
// The host prepends `alias Elem = f32;` (or `enable f16; alias Elem = f16;`): tensors are stored
// as Elem, all arithmetic is f32. Geometry is never computed here: every output reads the
// per-axis tap tables the host built (the same tables the CPU kernel executes), so source pixels
// are identical by construction, and the sums are evaluated in the CPU kernel's order:
//   out[yo][xo] = Σ_k wx_k · (Σ_j wy_j · src[iy_j][ix_k])
//
// A tensor is a sequence of images of `rows × width × cs` elements (NCHW: one image per channel
// plane, cs = 1; NHWC: one image per batch item, cs = C). A dispatch covers a chunk of `rows`
// consecutive output rows (all images' rows in order), so tensors larger than one storage
// binding are processed in several dispatches over sub-ranges of the buffers. The chunk starts
// at output row `yo0` of image k0; its row i is row (yo0 + i) mod out_h of image
// k0 + (yo0 + i) div out_h.
//
// Work per invocation (slots.wgsl, with planes = images): one element position e of a row
// (e = x·cs + c) and one slot s < `slots` = min(rows, out_h). A slot's rows are the same output
// row of consecutive images, so they share every tap: the invocation loads its taps once and
// walks up to `per_z` of those rows (the grid's z picks which ones). Nothing is divided per
// element; an NHWC invocation divides once (e by cs).
//
// The tap-table accessors (tap_count, extrapolated, tap_index, tap_weight, tap_row) come from
// taps.wgsl, walk_first(), walk_next() and slot_of() from slots.wgsl.

struct Params {
    out_w: u32,
    out_h: u32,
    cs: u32,
    in_w: u32,
    // elements per input image
    image_len: u32,
    // binding-relative offsets: image_base() subtracts src_rel, destinations add dst_rel
    src_rel: u32,
    dst_rel: u32,
    h_base: u32,
    h_width: u32,
    w_base: u32,
    w_width: u32,
    ev: f32,
    // the chunk's rows over the grid; `walk.row_len` is out_w·cs (`rows`: in_w·cs)
    walk: Walk,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> taps: array<u32>;
@group(0) @binding(2) var<storage, read> src: array<Elem>;
@group(0) @binding(3) var<storage, read_write> dst: array<Elem>;
@group(0) @binding(4) var<storage, read> tmp_in: array<f32>;
@group(0) @binding(5) var<storage, read_write> tmp_out: array<f32>;

// Taps per axis the one-pass kernels keep in registers: `direct2` holds 2 (linear), `direct4`
// holds 4 (cubic); wider windows take the two passes. Must match DIRECT_MAX_WIDTH in
// src/gpu/buffers.rs.
const MAX_HOISTED: u32 = 4u;

// Slot s's output row, and whether its first row is in image k0 + 1.
fn slot(s: u32) -> Slot {
    return slot_of(s, p.walk, p.out_h);
}

// Row element e as (x, channel slot).
fn column_of(e: u32) -> vec2<u32> {
    if (p.cs == 1u) {
        return vec2<u32>(e, 0u);
    }
    let x = e / p.cs;
    return vec2<u32>(x, e - x * p.cs);
}

// The chunk row of slot s in its j-th image; `p.walk.rows` or more once past the chunk.
fn chunk_row(s: u32, j: u32) -> u32 {
    return s + j * p.out_h;
}

// The binding-relative index of element 0 of image k0 + rel: add (iy·in_w + ix)·cs + c.
// Indices are u32 and wrap; the sum lands on the element.
fn image_base(rel: u32) -> u32 {
    return rel * p.image_len - p.src_rel;
}

// Writes the extrapolation value to every row of slot s this z step owns, at element e.
fn fill(z: u32, s: u32, e: u32) {
    let j0 = z * p.walk.per_z;
    for (var j = j0; j < j0 + p.walk.per_z; j = j + 1u) {
        let i = chunk_row(s, j);
        if (i >= p.walk.rows) {
            break;
        }
        dst[i * p.walk.row_len + e + p.dst_rel] = Elem(p.ev);
    }
}

// Both axes pick one source pixel with weight 1: a copy, bit-exact.
fn gather_at(z: u32, s: u32, e: u32) {
    let sl = slot(s);
    let xc = column_of(e);
    if (extrapolated(p.h_base, sl.yo) || extrapolated(p.w_base, xc.x)) {
        fill(z, s, e);
        return;
    }
    let iy = tap_index(p.h_base, p.out_h, p.h_width, sl.yo, 0u);
    let ix = tap_index(p.w_base, p.out_w, p.w_width, xc.x, 0u);
    let within = (iy * p.in_w + ix) * p.cs + xc.y;
    let j0 = z * p.walk.per_z;
    for (var j = j0; j < j0 + p.walk.per_z; j = j + 1u) {
        let i = chunk_row(s, j);
        if (i >= p.walk.rows) {
            break;
        }
        dst[i * p.walk.row_len + e + p.dst_rel] = src[image_base(sl.next_plane + j) + within];
    }
}

// At most `hoisted` taps per axis, held in registers: one pass over the 2-D tap grid. Each entry
// point passes a literal, so the tap loops have a constant trip count and unroll.
fn direct_at(z: u32, s: u32, e: u32, hoisted: u32) {
    let sl = slot(s);
    let xc = column_of(e);
    if (extrapolated(p.h_base, sl.yo) || extrapolated(p.w_base, xc.x)) {
        fill(z, s, e);
        return;
    }
    let nh = tap_count(p.h_base, sl.yo);
    let nw = tap_count(p.w_base, xc.x);
    var row_at: array<u32, MAX_HOISTED>;
    var wy: array<f32, MAX_HOISTED>;
    var col_at: array<u32, MAX_HOISTED>;
    var wx: array<f32, MAX_HOISTED>;
    for (var t = 0u; t < hoisted; t = t + 1u) {
        if (t < nh) {
            row_at[t] = tap_index(p.h_base, p.out_h, p.h_width, sl.yo, t) * p.in_w * p.cs;
            wy[t] = tap_weight(p.h_base, p.out_h, p.h_width, sl.yo, t);
        }
        if (t < nw) {
            col_at[t] = tap_index(p.w_base, p.out_w, p.w_width, xc.x, t) * p.cs + xc.y;
            wx[t] = tap_weight(p.w_base, p.out_w, p.w_width, xc.x, t);
        }
    }
    let j0 = z * p.walk.per_z;
    for (var j = j0; j < j0 + p.walk.per_z; j = j + 1u) {
        let i = chunk_row(s, j);
        if (i >= p.walk.rows) {
            break;
        }
        let base = image_base(sl.next_plane + j);
        var acc: f32 = 0.0;
        for (var kx = 0u; kx < hoisted; kx = kx + 1u) {
            if (kx < nw) {
                var col: f32 = 0.0;
                for (var ky = 0u; ky < hoisted; ky = ky + 1u) {
                    if (ky < nh) {
                        let v = f32(src[base + row_at[ky] + col_at[kx]]);
                        if (ky == 0u) {
                            col = wy[ky] * v;
                        } else {
                            col = col + wy[ky] * v;
                        }
                    }
                }
                if (kx == 0u) {
                    acc = wx[kx] * col;
                } else {
                    acc = acc + wx[kx] * col;
                }
            }
        }
        dst[i * p.walk.row_len + e + p.dst_rel] = Elem(acc);
    }
}

// Wide windows, pass 1: combine the height taps into one f32 row per output row,
// tmp[i][x][c] = Σ_j wy_j · src[iy_j][x][c]   (`row_len` = in_w · cs).
fn rows_at(z: u32, s: u32, e: u32) {
    let sl = slot(s);
    let nh = tap_count(p.h_base, sl.yo);
    let skip = extrapolated(p.h_base, sl.yo);
    let hr = tap_row(p.h_base, p.out_h, p.h_width, sl.yo);
    let stride = p.in_w * p.cs;
    let j0 = z * p.walk.per_z;
    for (var j = j0; j < j0 + p.walk.per_z; j = j + 1u) {
        let i = chunk_row(s, j);
        if (i >= p.walk.rows) {
            break;
        }
        let base = image_base(sl.next_plane + j) + e;
        var col: f32 = 0.0;
        if (!skip) {
            for (var ky = 0u; ky < nh; ky = ky + 1u) {
                let iy = taps[hr.at + ky];
                let wy = bitcast<f32>(taps[hr.at + hr.gap + ky]);
                let v = f32(src[base + iy * stride]);
                if (ky == 0u) {
                    col = wy * v;
                } else {
                    col = col + wy * v;
                }
            }
        }
        tmp_out[i * p.walk.row_len + e] = col;
    }
}

// Wide windows, pass 2: gather the width taps from the combined rows.
fn cols_at(z: u32, s: u32, e: u32) {
    let sl = slot(s);
    let xc = column_of(e);
    if (extrapolated(p.h_base, sl.yo) || extrapolated(p.w_base, xc.x)) {
        fill(z, s, e);
        return;
    }
    let nw = tap_count(p.w_base, xc.x);
    let wr = tap_row(p.w_base, p.out_w, p.w_width, xc.x);
    let in_row = p.in_w * p.cs;
    let j0 = z * p.walk.per_z;
    for (var j = j0; j < j0 + p.walk.per_z; j = j + 1u) {
        let i = chunk_row(s, j);
        if (i >= p.walk.rows) {
            break;
        }
        let row = i * in_row + xc.y;
        var acc: f32 = 0.0;
        for (var kx = 0u; kx < nw; kx = kx + 1u) {
            let ix = taps[wr.at + kx];
            let wx = bitcast<f32>(taps[wr.at + wr.gap + kx]);
            let v = tmp_in[row + ix * p.cs];
            if (kx == 0u) {
                acc = wx * v;
            } else {
                acc = acc + wx * v;
            }
        }
        dst[i * p.walk.row_len + e + p.dst_rel] = Elem(acc);
    }
}

// The entry points: each walks its share of (z step, slot, row element) over the grid.

@compute @workgroup_size(64)
fn gather(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    for (var c = walk_first(wg, lid, p.walk); c.live; c = walk_next(c, p.walk)) {
        gather_at(c.z, c.s, c.e);
    }
}

@compute @workgroup_size(64)
fn direct2(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    for (var c = walk_first(wg, lid, p.walk); c.live; c = walk_next(c, p.walk)) {
        direct_at(c.z, c.s, c.e, 2u);
    }
}

@compute @workgroup_size(64)
fn direct4(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    for (var c = walk_first(wg, lid, p.walk); c.live; c = walk_next(c, p.walk)) {
        direct_at(c.z, c.s, c.e, 4u);
    }
}

@compute @workgroup_size(64)
fn rows(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    for (var c = walk_first(wg, lid, p.walk); c.live; c = walk_next(c, p.walk)) {
        rows_at(c.z, c.s, c.e);
    }
}

@compute @workgroup_size(64)
fn cols(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    for (var c = walk_first(wg, lid, p.walk); c.live; c = walk_next(c, p.walk)) {
        cols_at(c.z, c.s, c.e);
    }
}

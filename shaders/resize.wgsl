// halfpixel resize kernels over storage buffers.
//
// The host prepends `alias Elem = f32;` (or `enable f16; alias Elem = f16;`): tensors are stored
// as Elem, all arithmetic is f32. Geometry is never computed here: every output reads the
// per-axis tap tables the host built (the same tables the CPU kernel executes), so source pixels
// are identical by construction, and the sums are evaluated in the CPU kernel's order:
//   out[yo][xo] = Σ_k wx_k · (Σ_j wy_j · src[iy_j][ix_k])
//
// A tensor is a sequence of images of `rows × width × cs` elements (NCHW: one image per channel
// plane, cs = 1; NHWC: one image per batch item, cs = C). A dispatch covers a chunk of
// consecutive output rows (all images' rows in order), so tensors larger than one storage
// binding are processed in several dispatches over sub-ranges of the buffers.
//
// The tap-table accessors (tap_count, extrapolated, tap_index, tap_weight) come from taps.wgsl.

struct Params {
    out_w: u32,
    out_h: u32,
    cs: u32,
    in_w: u32,
    // rows of this chunk, and the global index of its first output row
    rows: u32,
    row0: u32,
    // the image of the first row of this chunk
    k0: u32,
    // elements per input image
    image_len: u32,
    // binding-relative offsets: the first element of each binding's range
    src_rel: u32,
    dst_rel: u32,
    h_base: u32,
    h_width: u32,
    w_base: u32,
    w_width: u32,
    // workgroups per row of the 2-D dispatch grid, and invocations in this dispatch
    groups_x: u32,
    total: u32,
    ev: f32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> taps: array<u32>;
@group(0) @binding(2) var<storage, read> src: array<Elem>;
@group(0) @binding(3) var<storage, read_write> dst: array<Elem>;
@group(0) @binding(4) var<storage, read> tmp_in: array<f32>;
@group(0) @binding(5) var<storage, read_write> tmp_out: array<f32>;

const WG: u32 = 64u;

fn invocation(wg: vec3<u32>, lid: u32) -> u32 {
    return (wg.y * p.groups_x + wg.x) * WG + lid;
}

// Output element `t` of this chunk: (row within chunk, image, output y, output x, channel slot).
struct Out {
    rr: u32,
    k: u32,
    yo: u32,
    xo: u32,
    c: u32,
}

fn decode(t: u32) -> Out {
    var o: Out;
    o.c = t % p.cs;
    let t2 = t / p.cs;
    o.xo = t2 % p.out_w;
    o.rr = t2 / p.out_w;
    let r = p.row0 + o.rr;
    o.k = r / p.out_h;
    o.yo = r % p.out_h;
    return o;
}

fn dst_index(o: Out) -> u32 {
    return (o.rr * p.out_w + o.xo) * p.cs + o.c + p.dst_rel;
}

// Binding-relative index of input element (image k, row iy, column ix, slot c). Every element a
// chunk reads lies at or after `src_rel`, so the subtraction never wraps.
fn src_index(k: u32, iy: u32, ix: u32, c: u32) -> u32 {
    return (k - p.k0) * p.image_len + (iy * p.in_w + ix) * p.cs + c - p.src_rel;
}

// Σ_j wy_j · src[iy_j][ix][c] over the height taps of output row yo, in tap order.
fn column(k: u32, yo: u32, ix: u32, c: u32) -> f32 {
    var col: f32 = 0.0;
    let nh = tap_count(p.h_base, yo);
    for (var j = 0u; j < nh; j = j + 1u) {
        let iy = tap_index(p.h_base, p.out_h, p.h_width, yo, j);
        let wy = tap_weight(p.h_base, p.out_h, p.h_width, yo, j);
        let v = f32(src[src_index(k, iy, ix, c)]);
        if (j == 0u) {
            col = wy * v;
        } else {
            col = col + wy * v;
        }
    }
    return col;
}

// Both axes pick one source pixel with weight 1: a copy, bit-exact.
@compute @workgroup_size(64)
fn gather(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let t = invocation(wg, lid);
    if (t >= p.total) {
        return;
    }
    let o = decode(t);
    let d = dst_index(o);
    if (extrapolated(p.h_base, o.yo) || extrapolated(p.w_base, o.xo)) {
        dst[d] = Elem(p.ev);
        return;
    }
    let iy = tap_index(p.h_base, p.out_h, p.h_width, o.yo, 0u);
    let ix = tap_index(p.w_base, p.out_w, p.w_width, o.xo, 0u);
    dst[d] = src[src_index(o.k, iy, ix, o.c)];
}

// Few taps per axis: one pass over the 2-D tap grid.
@compute @workgroup_size(64)
fn direct(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let t = invocation(wg, lid);
    if (t >= p.total) {
        return;
    }
    let o = decode(t);
    let d = dst_index(o);
    if (extrapolated(p.h_base, o.yo) || extrapolated(p.w_base, o.xo)) {
        dst[d] = Elem(p.ev);
        return;
    }
    let nw = tap_count(p.w_base, o.xo);
    var acc: f32 = 0.0;
    for (var kx = 0u; kx < nw; kx = kx + 1u) {
        let ix = tap_index(p.w_base, p.out_w, p.w_width, o.xo, kx);
        let wx = tap_weight(p.w_base, p.out_w, p.w_width, o.xo, kx);
        let col = column(o.k, o.yo, ix, o.c);
        if (kx == 0u) {
            acc = wx * col;
        } else {
            acc = acc + wx * col;
        }
    }
    dst[d] = Elem(acc);
}

// Wide windows, pass 1: combine the height taps into one f32 row per output row,
// tmp[rr][x][c] = Σ_j wy_j · src[iy_j][x][c]   (`total` = rows · in_w · cs).
@compute @workgroup_size(64)
fn rows(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let t = invocation(wg, lid);
    if (t >= p.total) {
        return;
    }
    let c = t % p.cs;
    let t2 = t / p.cs;
    let x = t2 % p.in_w;
    let rr = t2 / p.in_w;
    let r = p.row0 + rr;
    let k = r / p.out_h;
    let yo = r % p.out_h;
    var col: f32 = 0.0;
    if (!extrapolated(p.h_base, yo)) {
        col = column(k, yo, x, c);
    }
    tmp_out[t] = col;
}

// Wide windows, pass 2: gather the width taps from the combined rows.
@compute @workgroup_size(64)
fn cols(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let t = invocation(wg, lid);
    if (t >= p.total) {
        return;
    }
    let o = decode(t);
    let d = dst_index(o);
    if (extrapolated(p.h_base, o.yo) || extrapolated(p.w_base, o.xo)) {
        dst[d] = Elem(p.ev);
        return;
    }
    let nw = tap_count(p.w_base, o.xo);
    let row = o.rr * p.in_w * p.cs;
    var acc: f32 = 0.0;
    for (var kx = 0u; kx < nw; kx = kx + 1u) {
        let ix = tap_index(p.w_base, p.out_w, p.w_width, o.xo, kx);
        let wx = tap_weight(p.w_base, p.out_w, p.w_width, o.xo, kx);
        let v = tmp_in[row + ix * p.cs + o.c];
        if (kx == 0u) {
            acc = wx * v;
        } else {
            acc = acc + wx * v;
        }
    }
    dst[d] = Elem(acc);
}

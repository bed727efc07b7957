// depth_to_space / space_to_depth over storage buffers: a pure permutation, bit-exact.
//
// The host prepends `alias Elem = f32;` (or f16). One invocation writes one output element; a
// dispatch covers a chunk of consecutive output rows (a row is the innermost dimension: W for
// NCHW, C for NHWC), so tensors larger than one storage binding take several dispatches.
// shuffle_source() comes from shuffle_source.wgsl.

struct Params {
    // output dims
    c_out: u32,
    h_out: u32,
    w_out: u32,
    // input dims
    c_in: u32,
    h_in: u32,
    w_in: u32,
    block: u32,
    // 1: NCHW, 0: NHWC
    nchw: u32,
    // 1: depth_to_space, 0: space_to_depth
    to_space: u32,
    // 1: CRD, 0: DCR
    crd: u32,
    row0: u32,
    // the batch item of the chunk's first row, and binding-relative offsets
    n0: u32,
    src_rel: u32,
    dst_rel: u32,
    groups_x: u32,
    total: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<Elem>;
@group(0) @binding(2) var<storage, read_write> dst: array<Elem>;

@compute @workgroup_size(64)
fn shuffle(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let t = (wg.y * p.groups_x + wg.x) * 64u + lid;
    if (t >= p.total) {
        return;
    }
    var row_len = p.c_out;
    if (p.nchw == 1u) {
        row_len = p.w_out;
    }
    let r = p.row0 + t / row_len;
    let q = t % row_len;
    var n: u32;
    var c: u32;
    var h: u32;
    var w: u32;
    if (p.nchw == 1u) {
        n = r / (p.c_out * p.h_out);
        c = (r / p.h_out) % p.c_out;
        h = r % p.h_out;
        w = q;
    } else {
        n = r / (p.h_out * p.w_out);
        h = (r / p.w_out) % p.h_out;
        w = r % p.w_out;
        c = q;
    }
    let origin = shuffle_source(p.to_space == 1u, p.crd == 1u, p.block, c, h, w, p.c_in, p.c_out);
    let sc = origin.x;
    let sh = origin.y;
    let sw = origin.z;
    let item = p.c_in * p.h_in * p.w_in;
    var within: u32;
    if (p.nchw == 1u) {
        within = (sc * p.h_in + sh) * p.w_in + sw;
    } else {
        within = (sh * p.w_in + sw) * p.c_in + sc;
    }
    dst[t + p.dst_rel] = src[(n - p.n0) * item + within - p.src_rel];
}

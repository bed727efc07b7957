// depth_to_space / space_to_depth over storage buffers: a pure permutation, bit-exact.
//
// The host prepends `alias Elem = f32;` (or f16). A dispatch covers a chunk of consecutive output
// rows (a row is the innermost dimension: W for NCHW, C for NHWC), so tensors larger than one
// storage binding take several dispatches. The rows are walked as slots (slots.wgsl): NCHW
// planes are the (n, c) channel planes of h_out rows, NHWC planes the (n, h) image rows of w_out
// pixels. An invocation owns one element of a row and one slot, and walks up to `per_z` planes,
// counting (n, q) up instead of dividing. shuffle_source() comes from shuffle_source.wgsl.

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
    // log2(block) for a power of two, otherwise 32
    block_shift: u32,
    // 1: NCHW, 0: NHWC
    nchw: u32,
    // 1: depth_to_space, 0: space_to_depth
    to_space: u32,
    // 1: CRD, 0: DCR
    crd: u32,
    // rows per plane (h_out or w_out), planes per batch item (c_out or h_out), and the plane
    // within its batch item of the chunk's first row
    plane_rows: u32,
    q_count: u32,
    q0: u32,
    // binding-relative offsets: sources are relative to the chunk's first batch item
    src_rel: u32,
    dst_rel: u32,
    // the chunk's rows over the grid
    walk: Walk,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<Elem>;
@group(0) @binding(2) var<storage, read_write> dst: array<Elem>;

fn shuffle_at(z: u32, s: u32, e: u32) {
    let sl = slot_of(s, p.walk, p.plane_rows);
    let j0 = z * p.walk.per_z;
    // The plane of this slot's first row, as (batch item relative to the chunk's first, q).
    let plane = p.q0 + sl.next_plane + j0;
    var n = plane / p.q_count;
    var q = plane - n * p.q_count;
    let item = p.c_in * p.h_in * p.w_in;
    for (var j = j0; j < j0 + p.walk.per_z; j = j + 1u) {
        let i = s + j * p.plane_rows;
        if (i >= p.walk.rows) {
            break;
        }
        var c: u32;
        var h: u32;
        var w: u32;
        if (p.nchw == 1u) {
            c = q;
            h = sl.yo;
            w = e;
        } else {
            h = q;
            w = sl.yo;
            c = e;
        }
        let origin = shuffle_source(p.to_space == 1u, p.crd == 1u, p.block, p.block_shift, c, h, w, p.c_in, p.c_out);
        var within: u32;
        if (p.nchw == 1u) {
            within = (origin.x * p.h_in + origin.y) * p.w_in + origin.z;
        } else {
            within = (origin.y * p.w_in + origin.z) * p.c_in + origin.x;
        }
        dst[i * p.walk.row_len + e + p.dst_rel] = src[n * item + within - p.src_rel];
        q = q + 1u;
        if (q == p.q_count) {
            q = 0u;
            n = n + 1u;
        }
    }
}

@compute @workgroup_size(64)
fn shuffle(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    for (var c = walk_first(wg, lid, p.walk); c.live; c = walk_next(c, p.walk)) {
        shuffle_at(c.z, c.s, c.e);
    }
}

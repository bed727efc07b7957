// halfpixel kernels over texture arrays in Metal's MPSImage layout.
//
// Feature channel c of image n lives in array layer n·S + c/4, component c%4, with
// S = ceil(C/4) layers per image; the padding components of an image's last layer are written as
// zero. The host prepends `alias OutTexture = texture_storage_2d_array<FORMAT, write>;` (rgba32float
// or rgba16float). Arithmetic is f32 and uses the same tap tables and summation order as the
// buffer kernels (resize.wgsl); tap accessors from taps.wgsl, shuffle_source from
// shuffle_source.wgsl, the grid walk from slots.wgsl.

struct TexParams {
    out_w: u32,
    out_h: u32,
    in_w: u32,
    in_h: u32,
    // layers per image of the output and of the input
    out_slices: u32,
    in_slices: u32,
    // feature channels of the output and of the input
    out_channels: u32,
    in_channels: u32,
    // the input layer of the first image read (batch index · in_slices)
    src_layer0: u32,
    block: u32,
    h_base: u32,
    h_width: u32,
    w_base: u32,
    w_width: u32,
    to_space: u32,
    crd: u32,
    ev: f32,
    // log2(block) for a power of two, otherwise 32
    block_shift: u32,
    _pad0: u32,
    _pad1: u32,
    // output rows over the grid (slots.wgsl): planes are the output layers, rows their texel
    // rows, and the whole texture is one chunk (yo0 = 0)
    walk: Walk,
}

@group(0) @binding(0) var<uniform> p: TexParams;
@group(0) @binding(1) var<storage, read> taps: array<u32>;
@group(0) @binding(2) var src: texture_2d_array<f32>;
@group(0) @binding(3) var dst: OutTexture;

// Zero the components of layer `s` (within its image) that hold no feature channel.
fn mask_padding(v: vec4<f32>, s: u32, channels: u32) -> vec4<f32> {
    var out = v;
    for (var l = 0u; l < 4u; l = l + 1u) {
        if (s * 4u + l >= channels) {
            out[l] = 0.0;
        }
    }
    return out;
}

// Texel (xo, yo) of the output layers this z step owns: taps read once per layer from the
// tables, the layer's slice within its image counted up instead of divided.
fn tex_resize_at(z: u32, yo: u32, xo: u32) {
    let ex = extrapolated(p.h_base, yo) || extrapolated(p.w_base, xo);
    let nh = tap_count(p.h_base, yo);
    let nw = tap_count(p.w_base, xo);
    let hr = tap_row(p.h_base, p.out_h, p.h_width, yo);
    let wr = tap_row(p.w_base, p.out_w, p.w_width, xo);
    let j0 = z * p.walk.per_z;
    var slice = j0 % p.out_slices;
    for (var layer = j0; layer < j0 + p.walk.per_z; layer = layer + 1u) {
        if (layer * p.out_h + yo >= p.walk.rows) {
            break;
        }
        let src_layer = i32(p.src_layer0 + layer);
        var acc = vec4<f32>(p.ev);
        if (!ex) {
            for (var kx = 0u; kx < nw; kx = kx + 1u) {
                let ix = taps[wr.at + kx];
                let wx = bitcast<f32>(taps[wr.at + wr.gap + kx]);
                var col = vec4<f32>(0.0);
                for (var ky = 0u; ky < nh; ky = ky + 1u) {
                    let iy = taps[hr.at + ky];
                    let wy = bitcast<f32>(taps[hr.at + hr.gap + ky]);
                    let v = textureLoad(src, vec2<i32>(i32(ix), i32(iy)), src_layer, 0);
                    if (ky == 0u) {
                        col = wy * v;
                    } else {
                        col = col + wy * v;
                    }
                }
                if (kx == 0u) {
                    acc = wx * col;
                } else {
                    acc = acc + wx * col;
                }
            }
        }
        textureStore(dst, vec2<i32>(i32(xo), i32(yo)), i32(layer), mask_padding(acc, slice, p.out_channels));
        slice = slice + 1u;
        if (slice == p.out_slices) {
            slice = 0u;
        }
    }
}

// Texel (xo, yo) of the output layers this z step owns, component by component.
fn tex_shuffle_at(z: u32, yo: u32, xo: u32) {
    let j0 = z * p.walk.per_z;
    var n = j0 / p.out_slices;
    var slice = j0 - n * p.out_slices;
    for (var layer = j0; layer < j0 + p.walk.per_z; layer = layer + 1u) {
        if (layer * p.out_h + yo >= p.walk.rows) {
            break;
        }
        var out = vec4<f32>(0.0);
        for (var l = 0u; l < 4u; l = l + 1u) {
            let c = slice * 4u + l;
            if (c >= p.out_channels) {
                continue;
            }
            let origin = shuffle_source(p.to_space == 1u, p.crd == 1u, p.block, p.block_shift, c, yo, xo, p.in_channels, p.out_channels);
            let in_layer = p.src_layer0 + n * p.in_slices + (origin.x >> 2u);
            let v = textureLoad(src, vec2<i32>(i32(origin.z), i32(origin.y)), i32(in_layer), 0);
            out[l] = v[origin.x & 3u];
        }
        textureStore(dst, vec2<i32>(i32(xo), i32(yo)), i32(layer), out);
        slice = slice + 1u;
        if (slice == p.out_slices) {
            slice = 0u;
            n = n + 1u;
        }
    }
}

// The entry points walk (z step, texel row, texel) over the grid; the whole texture is one
// chunk, so a slot is an output row yo.

@compute @workgroup_size(64)
fn tex_resize(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    for (var c = walk_first(wg, lid, p.walk); c.live; c = walk_next(c, p.walk)) {
        tex_resize_at(c.z, c.s, c.e);
    }
}

@compute @workgroup_size(64)
fn tex_shuffle(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    for (var c = walk_first(wg, lid, p.walk); c.live; c = walk_next(c, p.walk)) {
        tex_shuffle_at(c.z, c.s, c.e);
    }
}

// The source (channel, row, column) of output (c, h, w) of depth_to_space (`to_space`) or
// space_to_depth with block `b`, in CRD or DCR order; shared by pixel_shuffle.wgsl and texture.wgsl.
fn shuffle_source(to_space: bool, crd: bool, b: u32, c: u32, h: u32, w: u32, c_in: u32, c_out: u32) -> vec3<u32> {
    if (to_space) {
        let i = h % b;
        let j = w % b;
        var sc: u32;
        if (crd) {
            sc = c * b * b + i * b + j;
        } else {
            sc = (i * b + j) * c_out + c;
        }
        return vec3<u32>(sc, h / b, w / b);
    }
    var sc: u32;
    var i: u32;
    var j: u32;
    if (crd) {
        sc = c / (b * b);
        let rem = c % (b * b);
        i = rem / b;
        j = rem % b;
    } else {
        let ij = c / c_in;
        sc = c % c_in;
        i = ij / b;
        j = ij % b;
    }
    return vec3<u32>(sc, h * b + i, w * b + j);
}

// The slot walk shared by resize.wgsl and pixel_shuffle.wgsl (prepended to both).
//
// A dispatch covers a chunk of consecutive output rows; the rows are planes of `plane_rows` rows.
// Chunk rows s, s + plane_rows, s + 2·plane_rows, … are the same row of consecutive planes: a
// *slot*, whose geometry (taps, source offsets) is the same in every plane. An invocation owns
// one element e of a row and one slot, and walks the slot's rows. A workgroup is 64
// invocations, 2^x_shift along the row and 64 / 2^x_shift along slots, so short rows still fill
// it; every grid dimension is walked with the grid's stride, so any chunk fits any dispatch.

// An invocation's first slot and row element, and its strides over the grid.
struct Lanes {
    s0: u32,
    s_step: u32,
    e0: u32,
    e_step: u32,
}

fn lanes(wg: vec3<u32>, lid: u32, x_shift: u32, groups_x: u32, groups_y: u32) -> Lanes {
    let along = 1u << x_shift;
    let across = 64u >> x_shift;
    var l: Lanes;
    l.e0 = wg.x * along + (lid & (along - 1u));
    l.e_step = groups_x * along;
    l.s0 = wg.y * across + (lid >> x_shift);
    l.s_step = groups_y * across;
    return l;
}

// A slot's row within its planes, and whether its first chunk row lies in the chunk's second
// plane rather than its first (the chunk starts at row `yo0` of its first plane).
struct Slot {
    yo: u32,
    next_plane: u32,
}

fn slot_of(s: u32, yo0: u32, plane_rows: u32) -> Slot {
    var sl: Slot;
    sl.yo = yo0 + s;
    sl.next_plane = 0u;
    if (sl.yo >= plane_rows) {
        sl.yo = sl.yo - plane_rows;
        sl.next_plane = 1u;
    }
    return sl;
}

// The slot walk shared by resize.wgsl and pixel_shuffle.wgsl (prepended to both).
//
// A dispatch covers a chunk of consecutive output rows; the rows are planes of `plane_rows` rows.
// Chunk rows s, s + plane_rows, s + 2·plane_rows, … are the same row of consecutive planes: a
// *slot*, whose geometry (taps, source offsets) is the same in every plane. An invocation owns
// one element e of a row and one slot, and walks the slot's rows. A workgroup is 64
// invocations, 2^x_shift along the row and 64 / 2^x_shift along slots, so short rows still fill
// it; every grid dimension is walked with the grid's stride, so any chunk fits any dispatch.

// How a dispatch lays a chunk of output rows over its grid (SlotGrid in src/gpu/tables.rs).
struct Walk {
    // rows of the chunk, the row of its first plane it starts at, and min(rows, plane_rows)
    rows: u32,
    yo0: u32,
    slots: u32,
    // elements of one row
    row_len: u32,
    // log2 of the invocations a workgroup lays along the row
    x_shift: u32,
    // the dispatch grid
    groups_x: u32,
    groups_y: u32,
    groups_z: u32,
    // rows of a slot one z step walks, and the z steps that cover the longest slot
    per_z: u32,
    z_count: u32,
    // 1 when the grid is smaller than the work (a dimension capped at the device limit): the
    // invocations then stride over it
    strided: u32,
    _pad: u32,
}

// An invocation's first slot and row element, and its strides over the grid.
struct Lanes {
    s0: u32,
    s_step: u32,
    e0: u32,
    e_step: u32,
}

fn lanes(wg: vec3<u32>, lid: u32, w: Walk) -> Lanes {
    let along = 1u << w.x_shift;
    let across = 64u >> w.x_shift;
    var l: Lanes;
    l.e0 = wg.x * along + (lid & (along - 1u));
    l.e_step = w.groups_x * along;
    l.s0 = wg.y * across + (lid >> w.x_shift);
    l.s_step = w.groups_y * across;
    return l;
}

// A slot's row within its planes, and whether its first chunk row lies in the chunk's second
// plane rather than its first (the chunk starts at row `yo0` of its first plane).
struct Slot {
    yo: u32,
    next_plane: u32,
}

fn slot_of(s: u32, w: Walk, plane_rows: u32) -> Slot {
    var sl: Slot;
    sl.yo = w.yo0 + s;
    sl.next_plane = 0u;
    if (sl.yo >= plane_rows) {
        sl.yo = sl.yo - plane_rows;
        sl.next_plane = 1u;
    }
    return sl;
}

// The slot walk shared by resize.wgsl, pixel_shuffle.wgsl and texture.wgsl (prepended to each).
//
// A dispatch covers a chunk of consecutive output rows; the rows are planes of `plane_rows` rows.
// Chunk rows s, s + plane_rows, s + 2·plane_rows, … are the same row of consecutive planes: a
// *slot*, whose geometry (taps, source offsets) is the same in every plane. An invocation owns
// one element e of a row and one slot, and walks the slot's rows. A workgroup is 64
// invocations, 2^x_shift along the row and 64 / 2^x_shift along slots, so short rows still fill
// it. Where the device caps a grid dimension below the work, the invocations stride over it, so
// any chunk fits any dispatch; walk_first() and walk_next() are the one copy of that walk.

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

// An invocation's position in the walk: z step, slot and row element, whether it is inside the
// work, and what it needs to step on. Entry points run
//   for (var c = walk_first(wg, lid, w); c.live; c = walk_next(c, w)) { body(c.z, c.s, c.e); }
// which visits (z, s, e) in the order of three nested grid-stride loops (z outermost). An
// unstrided grid covers the work exactly, so there each invocation stops after one step.
struct Cursor {
    z: u32,
    s: u32,
    e: u32,
    live: bool,
    s0: u32,
    e0: u32,
    s_step: u32,
    e_step: u32,
}

fn walk_first(wg: vec3<u32>, lid: u32, w: Walk) -> Cursor {
    let along = 1u << w.x_shift;
    let across = 64u >> w.x_shift;
    var c: Cursor;
    c.z = wg.z;
    c.s0 = wg.y * across + (lid >> w.x_shift);
    c.e0 = wg.x * along + (lid & (along - 1u));
    c.s = c.s0;
    c.e = c.e0;
    c.s_step = w.groups_y * across;
    c.e_step = w.groups_x * along;
    c.live = c.z < w.z_count && c.s < w.slots && c.e < w.row_len;
    return c;
}

fn walk_next(c: Cursor, w: Walk) -> Cursor {
    var n = c;
    if (w.strided == 0u) {
        n.live = false;
        return n;
    }
    n.e = c.e + c.e_step;
    if (n.e < w.row_len) {
        return n;
    }
    n.e = c.e0;
    n.s = c.s + c.s_step;
    if (n.s < w.slots) {
        return n;
    }
    n.s = c.s0;
    n.z = c.z + w.groups_z;
    n.live = n.z < w.z_count;
    return n;
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

//! A bounds-checked reader of FlatBuffers tables: every offset, vtable and vector is checked
//! against the buffer before it is read, so a malformed or truncated file gives an error, never
//! a panic or an out-of-bounds read. Only the layout rules of the FlatBuffers format are used:
//! a table starts with a signed offset to its vtable; a vtable holds its own size, the table's
//! size and one 16-bit offset per field (0: absent); strings, vectors and sub-tables are
//! reached through unsigned 32-bit offsets relative to where the offset is stored.

/// What went wrong, as a short phrase; the caller adds where.
pub type Fault = String;

/// A table in a buffer.
#[derive(Clone, Copy)]
pub struct Table<'a> {
    buf: &'a [u8],
    pos: usize,
    vtable: usize,
    fields: usize,
}

fn read<const N: usize>(buf: &[u8], at: usize) -> Result<[u8; N], Fault> {
    at.checked_add(N)
        .and_then(|end| buf.get(at..end))
        .map(|s| {
            let mut a = [0u8; N];
            a.copy_from_slice(s);
            a
        })
        .ok_or_else(|| {
            format!(
                "offset {at} runs past the end of the file ({} bytes)",
                buf.len()
            )
        })
}

fn u32_at(buf: &[u8], at: usize) -> Result<u32, Fault> {
    read::<4>(buf, at).map(u32::from_le_bytes)
}

/// Follows the unsigned offset stored at `at`.
fn follow(buf: &[u8], at: usize) -> Result<usize, Fault> {
    let rel = u32_at(buf, at)? as usize;
    let target = at
        .checked_add(rel)
        .ok_or_else(|| format!("offset at {at} overflows"))?;
    if target >= buf.len() {
        return Err(format!(
            "offset at {at} points to {target}, past the end of the file ({} bytes)",
            buf.len()
        ));
    }
    Ok(target)
}

impl<'a> Table<'a> {
    /// The root table of a buffer.
    pub fn root(buf: &'a [u8]) -> Result<Table<'a>, Fault> {
        Table::at(buf, follow(buf, 0)?)
    }

    fn at(buf: &'a [u8], pos: usize) -> Result<Table<'a>, Fault> {
        let soffset = i32::from_le_bytes(read::<4>(buf, pos)?) as i64;
        let vtable = pos as i64 - soffset;
        if vtable < 0 || vtable as usize >= buf.len() {
            return Err(format!(
                "the table at {pos} has its vtable outside the file"
            ));
        }
        let vtable = vtable as usize;
        let vt_size = u16::from_le_bytes(read::<2>(buf, vtable)?) as usize;
        if vt_size < 4 || !vt_size.is_multiple_of(2) {
            return Err(format!("the vtable at {vtable} has size {vt_size}"));
        }
        read::<2>(buf, vtable + vt_size - 2)?;
        Ok(Table {
            buf,
            pos,
            vtable,
            fields: (vt_size - 4) / 2,
        })
    }

    /// The absolute position of field `id`, if present.
    fn field(&self, id: usize) -> Result<Option<usize>, Fault> {
        if id >= self.fields {
            return Ok(None);
        }
        let off = u16::from_le_bytes(read::<2>(self.buf, self.vtable + 4 + 2 * id)?) as usize;
        if off == 0 {
            return Ok(None);
        }
        Ok(Some(
            self.pos.checked_add(off).ok_or("field offset overflows")?,
        ))
    }

    /// A scalar field of N bytes.
    fn scalar<const N: usize>(&self, id: usize) -> Result<Option<[u8; N]>, Fault> {
        match self.field(id)? {
            Some(at) => read::<N>(self.buf, at).map(Some),
            None => Ok(None),
        }
    }

    /// A `ubyte`/`byte`/`bool` field.
    pub fn u8(&self, id: usize) -> Result<Option<u8>, Fault> {
        Ok(self.scalar::<1>(id)?.map(|b| b[0]))
    }

    /// A `bool` field, with its default.
    pub fn bool_or(&self, id: usize, default: bool) -> Result<bool, Fault> {
        Ok(self.u8(id)?.map_or(default, |b| b != 0))
    }

    /// An `int` field.
    pub fn i32(&self, id: usize) -> Result<Option<i32>, Fault> {
        Ok(self.scalar::<4>(id)?.map(i32::from_le_bytes))
    }

    /// A `uint` field.
    pub fn u32(&self, id: usize) -> Result<Option<u32>, Fault> {
        Ok(self.scalar::<4>(id)?.map(u32::from_le_bytes))
    }

    /// A `ulong` field.
    pub fn u64(&self, id: usize) -> Result<Option<u64>, Fault> {
        Ok(self.scalar::<8>(id)?.map(u64::from_le_bytes))
    }

    /// A sub-table field.
    pub fn table(&self, id: usize) -> Result<Option<Table<'a>>, Fault> {
        match self.field(id)? {
            Some(at) => Table::at(self.buf, follow(self.buf, at)?).map(Some),
            None => Ok(None),
        }
    }

    /// A vector field: its element count and the position of its first element, checked to
    /// hold `count · elem_size` bytes.
    fn vector(&self, id: usize, elem_size: usize) -> Result<Option<(usize, usize)>, Fault> {
        let Some(at) = self.field(id)? else {
            return Ok(None);
        };
        let start = follow(self.buf, at)?;
        let count = u32_at(self.buf, start)? as usize;
        let data = start + 4;
        let end = count
            .checked_mul(elem_size)
            .and_then(|n| n.checked_add(data))
            .ok_or("vector length overflows")?;
        if end > self.buf.len() {
            return Err(format!(
                "a vector of {count} elements at {start} runs past the end of the file ({} bytes)",
                self.buf.len()
            ));
        }
        Ok(Some((count, data)))
    }

    /// A `string` field (bytes; invalid UTF-8 is replaced).
    pub fn string(&self, id: usize) -> Result<Option<String>, Fault> {
        Ok(self
            .vector(id, 1)?
            .map(|(n, at)| String::from_utf8_lossy(&self.buf[at..at + n]).into_owned()))
    }

    /// A `[ubyte]` field, borrowed.
    pub fn bytes(&self, id: usize) -> Result<Option<&'a [u8]>, Fault> {
        Ok(self.vector(id, 1)?.map(|(n, at)| &self.buf[at..at + n]))
    }

    /// An `[int]` field.
    pub fn i32s(&self, id: usize) -> Result<Option<Vec<i32>>, Fault> {
        Ok(self.vector(id, 4)?.map(|(n, at)| {
            (0..n)
                .map(|k| {
                    let b = &self.buf[at + 4 * k..at + 4 * k + 4];
                    i32::from_le_bytes([b[0], b[1], b[2], b[3]])
                })
                .collect()
        }))
    }

    /// A vector of tables, each read lazily.
    pub fn tables(&self, id: usize) -> Result<Vec<Table<'a>>, Fault> {
        let Some((n, at)) = self.vector(id, 4)? else {
            return Ok(Vec::new());
        };
        (0..n)
            .map(|k| Table::at(self.buf, follow(self.buf, at + 4 * k)?))
            .collect()
    }

    /// The whole buffer this table lives in.
    pub fn buffer(&self) -> &'a [u8] {
        self.buf
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_outside_the_buffer_are_errors() {
        assert!(Table::root(&[]).is_err());
        assert!(Table::root(&[200, 0, 0, 0]).is_err());
        // Root at 4: soffset pointing before the start.
        assert!(Table::root(&[4, 0, 0, 0, 100, 0, 0, 0]).is_err());
    }

    #[test]
    fn a_minimal_table_reads_its_fields() {
        // vtable at 4: size 8, table size 8, field 0 at offset 4; table at 12.
        let mut buf = vec![12, 0, 0, 0];
        buf.extend_from_slice(&[8, 0, 8, 0, 4, 0, 0, 0]);
        buf.extend_from_slice(&8i32.to_le_bytes()); // soffset: 12 - 8 = 4
        buf.extend_from_slice(&42i32.to_le_bytes());
        let t = Table::root(&buf).unwrap();
        assert_eq!(t.i32(0).unwrap(), Some(42));
        assert_eq!(t.i32(1).unwrap(), None);
        assert_eq!(t.i32(7).unwrap(), None);
    }
}

//! Bulk loads of the entries-layout lists: new records' write ops gathered by bucket
//! and field (screening/watchlists/bulk_entries.py; its _PyEntryGroups is the
//! reference, and the unit tests compare the two).
//!
//! The records' packed ops are kept whole in one buffer, each op as offsets into it;
//! take() sorts the ops by bucket (in the order first met), field and order given.
//! Small allocations per op cost more than the rest of the work together.

use std::collections::HashMap;

#[derive(Clone, Copy)]
struct Span(u32, u32);

#[derive(Clone, Copy)]
struct Op {
    bucket: u32,
    body: bool, // an s op (else p)
    field: Span,
    rid: Span,
    value: Span,
}

/// A field's first eight bytes, big-endian, zero-padded: orders as the bytes do.
fn head(field: &[u8]) -> u64 {
    let mut b = [0u8; 8];
    let n = field.len().min(8);
    b[..n].copy_from_slice(&field[..n]);
    u64::from_be_bytes(b)
}

#[derive(Default)]
pub struct Groups {
    data: Vec<u8>,
    keys: Vec<Vec<u8>>,
    key_at: HashMap<Vec<u8>, u32>,
    ops: Vec<Op>,
}

impl Groups {
    pub fn len(&self) -> usize {
        self.ops.len()
    }

    fn bytes(&self, s: Span) -> &[u8] {
        &self.data[s.0 as usize..(s.0 + s.1) as usize]
    }

    /// One record's write ops packed as the write script takes them (five NUL-separated
    /// parts each: op, key, field, id, value); Err for an op other than p and s, or a
    /// cut pack. Records added are distinct: an entry replaces only its own record's.
    pub fn add(&mut self, packed: &[u8]) -> Result<(), String> {
        if packed.is_empty() {
            return Ok(());
        }
        let base = self.data.len();
        let mut bounds = Vec::with_capacity(160);
        let mut start = 0;
        for (i, &b) in packed.iter().enumerate() {
            if b == 0 {
                bounds.push((start, i));
                start = i + 1;
            }
        }
        bounds.push((start, packed.len()));
        if bounds.len() % 5 != 0 {
            return Err("write ops come in fives".into());
        }
        for op in bounds.chunks_exact(5) {
            let kind = &packed[op[0].0..op[0].1];
            if kind != b"p" && kind != b"s" {
                return Err(format!("bulk entries take p and s ops, not {:?}",
                                   String::from_utf8_lossy(kind)));
            }
        }
        self.data.extend_from_slice(packed);
        let span = |(a, b): (usize, usize)| Span((base + a) as u32, (b - a) as u32);
        let first = self.ops.len();
        for op in bounds.chunks_exact(5) {
            let key = &packed[op[1].0..op[1].1];
            let bucket = match self.key_at.get(key) {
                Some(&b) => b,
                None => {
                    self.keys.push(key.to_vec());
                    self.key_at.insert(key.to_vec(), self.keys.len() as u32 - 1);
                    self.keys.len() as u32 - 1
                }
            };
            let body = packed[op[0].0] == b's';
            let (field, rid) = (&packed[op[2].0..op[2].1], &packed[op[3].0..op[3].1]);
            if !body {
                // As the p op: this record's entry already in the field is replaced
                // (dropped here; the new one keeps its later place).
                let mine = (first..self.ops.len()).find(|&i| {
                    let o = self.ops[i];
                    o.bucket == bucket && !o.body && self.bytes(o.field) == field
                        && self.bytes(o.rid) == rid
                });
                if let Some(i) = mine {
                    self.ops.remove(i);
                }
            }
            self.ops.push(Op { bucket, body, field: span(op[2]), rid: span(op[3]),
                               value: span(op[4]) });
        }
        Ok(())
    }

    /// (key, pairs, the pairs as RESP bulk strings) of each bucket, buckets in the order
    /// first met, fields in byte order, a field's entries in the order given (joined by
    /// RS; an s op's body replaces what was before it); gathering starts again.
    pub fn take(&mut self) -> Vec<(Vec<u8>, usize, Vec<u8>)> {
        let mut ops = std::mem::take(&mut self.ops);
        // Sorted by bucket, field and order given. The field's first eight bytes ride in
        // the sort key (a field holds no NUL, so zero padding orders a shorter one first,
        // as byte order does): comparisons seldom reach the buffer, whose reads, spread
        // over every record's ops, were most of a bulk load's take.
        let mut order: Vec<(u32, u64, u32)> = ops.iter().enumerate()
            .map(|(i, o)| (o.bucket, head(self.bytes(o.field)), i as u32)).collect();
        order.sort_unstable_by(|a, b| {
            a.0.cmp(&b.0).then(a.1.cmp(&b.1))
                .then_with(|| self.bytes(ops[a.2 as usize].field)
                    .cmp(self.bytes(ops[b.2 as usize].field)))
                .then(a.2.cmp(&b.2))
        });
        let ops: Vec<Op> = order.iter().map(|&(_, _, i)| ops[i as usize]).collect();
        let mut out: Vec<(Vec<u8>, usize, Vec<u8>)> = Vec::new();
        let mut i = 0;
        while i < ops.len() {
            let bucket = ops[i].bucket;
            let mut body = Vec::new();
            let mut pairs = 0;
            while i < ops.len() && ops[i].bucket == bucket {
                let field = self.bytes(ops[i].field);
                let mut j = i;
                while j < ops.len() && ops[j].bucket == bucket && self.bytes(ops[j].field) == field {
                    j += 1;
                }
                // What the field holds after its ops: the last s op's body, unless p ops
                // follow it (then theirs: an s op replaces what was before it).
                let values: Vec<&[u8]> = match (i..j).rev().find(|&k| ops[k].body) {
                    Some(s) if s + 1 == j => vec![self.bytes(ops[s].value)],
                    Some(s) => (s + 1..j).map(|k| self.bytes(ops[k].value)).collect(),
                    None => (i..j).map(|k| self.bytes(ops[k].value)).collect(),
                };
                let n = values.iter().map(|v| v.len() + 1).sum::<usize>().saturating_sub(1);
                body.extend_from_slice(format!("${}\r\n", field.len()).as_bytes());
                body.extend_from_slice(field);
                body.extend_from_slice(format!("\r\n${}\r\n", n).as_bytes());
                for (k, v) in values.iter().enumerate() {
                    if k > 0 {
                        body.push(0x1E);
                    }
                    body.extend_from_slice(v);
                }
                body.extend_from_slice(b"\r\n");
                pairs += 1;
                i = j;
            }
            out.push((self.keys[bucket as usize].clone(), pairs, body));
        }
        self.data.clear();
        self.keys.clear();
        self.key_at.clear();
        out
    }
}

//! Stolen-vehicle bulk lines: the line read, checked and packed into the compact
//! layout's new entries (screening/watchlists/smv/fast.py is the reference: fast_smv,
//! body.pack_fields and pack_vehicles; the unit tests compare the two line for line).
//!
//! It takes only lines in the plain shape feeds write: a JSON object whose values are
//! strings of printable ASCII without escapes, or null, under known keys given once.
//! Anything else (escapes, non-ASCII text, another list, a time before 1900, a record
//! the model would refuse) is handed back to the Python path, which keeps its error
//! messages; so this side never accepts a line the Python side would not, and packs
//! what it accepts byte for byte as that side would.

use std::collections::HashMap;

use blake2::digest::{Update, VariableOutput};
use blake2::Blake2bVar;

use crate::codes;

const US: u8 = 0x1F;
const PACKED: u8 = 0x7F; // DEL: a packed VIN, a time in whole seconds
const CODE: u8 = 0x80;
const LONG: u8 = 0x7E;
const SHORT_MOST: usize = (LONG - 0x20 - 1) as usize;
const BASE: u32 = 224;
const TEXT_CHARS: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ -";
const VIN_CHARS: &[u8] = b"0123456789ABCDEFGHJKLMNPRSTUVWXYZ";

/// Each byte's digit in `chars` (0xFF: none).
const fn digit_table(chars: &[u8]) -> [u8; 256] {
    let mut t = [0xFFu8; 256];
    let mut i = 0;
    while i < chars.len() {
        t[chars[i] as usize] = i as u8;
        i += 1;
    }
    t
}

const TEXT_DIGIT: [u8; 256] = digit_table(TEXT_CHARS);
const VIN_DIGIT: [u8; 256] = digit_table(VIN_CHARS);
const MAX_LINE_BYTES: usize = 1 << 20;
// body.py's field bits: after US, then (action, owner, valid_until) behind a second byte.
const B_VIN: u8 = 1;
const B_PLATE: u8 = 2;
const B_COUNTRY: u8 = 4;
const B_MAKE: u8 = 8;
const B_MODEL: u8 = 16;
const B_COLOUR: u8 = 32;
const B_WHEN: u8 = 64;
const B_ACTION: u8 = 1;
const B_OWNER: u8 = 2;
const B_UNTIL: u8 = 4;

/// The keys an SMV line may hold (fast.py's _KEYS), in this order as field numbers.
const KEYS: [&[u8]; 12] = [
    b"list", b"id", b"vin", b"plate", b"plate_country", b"make", b"model", b"colour",
    b"reported_at", b"action", b"owner", b"valid_until",
];
const K_LIST: usize = 0;
const K_ID: usize = 1;
const K_VIN: usize = 2;
const K_PLATE: usize = 3;
const K_COUNTRY: usize = 4;
const K_MAKE: usize = 5;
const K_MODEL: usize = 6;
const K_COLOUR: usize = 7;
const K_REPORTED: usize = 8;
const K_ACTION: usize = 9;
const K_OWNER: usize = 10;
const K_UNTIL: usize = 11;

/// A line's values by key number: None absent or null, else the string's bytes.
type Fields<'a> = [Option<&'a [u8]>; 12];

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// Python's bytes.strip().
pub fn strip(mut s: &[u8]) -> &[u8] {
    let space = |b: &u8| matches!(*b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c);
    while let Some(b) = s.first() {
        if !space(b) {
            break;
        }
        s = &s[1..];
    }
    while let Some(b) = s.last() {
        if !space(b) {
            break;
        }
        s = &s[..s.len() - 1];
    }
    s
}

struct Reader<'a> {
    s: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn ws(&mut self) {
        while self.pos < self.s.len() && is_ws(self.s[self.pos]) {
            self.pos += 1;
        }
    }

    fn eat(&mut self, b: u8) -> Option<()> {
        self.ws();
        if self.s.get(self.pos) == Some(&b) {
            self.pos += 1;
            Some(())
        } else {
            None
        }
    }

    /// A string of printable ASCII without escapes (anything else: None, ask Python).
    fn string(&mut self) -> Option<&'a [u8]> {
        self.eat(b'"')?;
        let start = self.pos;
        loop {
            match *self.s.get(self.pos)? {
                b'"' => break,
                b'\\' => return None,
                0x20..=0x7E => self.pos += 1,
                _ => return None,
            }
        }
        let out = &self.s[start..self.pos];
        self.pos += 1;
        Some(out)
    }

    /// A string or null (Some(None)); any other value: None.
    fn value(&mut self) -> Option<Option<&'a [u8]>> {
        self.ws();
        if self.s[self.pos..].starts_with(b"null") {
            self.pos += 4;
            return Some(None);
        }
        self.string().map(Some)
    }
}

/// The line's fields when it is a JSON object of known keys, each once, with string or
/// null values of the plain kind; else None.
fn read_fields(line: &[u8]) -> Option<Fields<'_>> {
    if line.len() > MAX_LINE_BYTES {
        return None;
    }
    let mut r = Reader { s: line, pos: 0 };
    let mut fields: Fields = [None; 12];
    let mut seen = [false; 12];
    r.eat(b'{')?;
    r.ws();
    if r.s.get(r.pos) == Some(&b'}') {
        return None; // no list
    }
    loop {
        let key = r.string()?;
        let k = KEYS.iter().position(|&name| name == key)?;
        if seen[k] {
            return None; // a key twice: JSON readers differ on which wins
        }
        seen[k] = true;
        r.eat(b':')?;
        let value = r.value()?;
        if k == K_LIST && value != Some(b"smv".as_slice()) {
            return None;
        }
        fields[k] = value;
        r.ws();
        match r.s.get(r.pos)? {
            b',' => r.pos += 1,
            b'}' => {
                r.pos += 1;
                break;
            }
            _ => return None,
        }
        r.ws();
    }
    r.ws();
    if r.pos != line.len() || !seen[K_LIST] {
        return None;
    }
    Some(fields)
}

/// sltd/fast.py's _plain for ASCII: 1..most printable characters, no space at either end.
fn plain(s: &[u8], most: usize) -> bool {
    !s.is_empty() && s.len() <= most && s[0] != b' ' && s[s.len() - 1] != b' '
}

fn opt_plain(v: Option<&[u8]>, most: usize) -> bool {
    v.is_none_or(|s| plain(s, most))
}

fn num(s: &[u8]) -> i64 {
    s.iter().fold(0, |n, &b| n * 10 + i64::from(b - b'0'))
}

fn digits_in(s: &[u8], lo: u8, hi: u8) -> bool {
    s.iter().all(|b| b.is_ascii_digit()) && s.len() == 2 && (lo..=hi).contains(&(num(s) as u8))
}

/// Days from 1900-01-01 of a valid Gregorian date, else None (date.fromisoformat).
fn days(year: i64, month: i64, day: i64) -> Option<i64> {
    if !(1..=12).contains(&month) {
        return None;
    }
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let most = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    if day < 1 || day > most[(month - 1) as usize] {
        return None;
    }
    // days_from_civil (H. Hinnant), minus 1900-01-01's.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146097 + doe - 719468 + 25567)
}

/// fast.py's _WHEN regex and the fromisoformat after it: (days since 1900, seconds
/// since 1900 in UTC when there is a time, the time's text "hh:mm:ss").
fn when(s: &[u8]) -> Option<(i64, Option<i64>)> {
    if s.len() < 10 || s[4] != b'-' || s[7] != b'-' || !s[..4].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let year = num(&s[..4]);
    if !(1900..=2200).contains(&year) || !digits_in(&s[5..7], 0, 99) || !digits_in(&s[8..10], 0, 99) {
        return None;
    }
    let d = days(year, num(&s[5..7]), num(&s[8..10]))?;
    if s.len() == 10 {
        return Some((d, None));
    }
    let t = &s[10..];
    if t.len() < 10 || t[0] != b'T' || t[3] != b':' || t[6] != b':' {
        return None;
    }
    if !digits_in(&t[1..3], 0, 23) || !digits_in(&t[4..6], 0, 59) || !digits_in(&t[7..9], 0, 59) {
        return None;
    }
    let mut secs = d * 86400 + num(&t[1..3]) * 3600 + num(&t[4..6]) * 60 + num(&t[7..9]);
    let zone = &t[9..];
    if zone != b"Z" {
        if zone.len() != 6 || zone[3] != b':' || !matches!(zone[0], b'+' | b'-') {
            return None;
        }
        if !digits_in(&zone[1..3], 0, 14) || !digits_in(&zone[4..6], 0, 59) {
            return None;
        }
        let offset = num(&zone[1..3]) * 3600 + num(&zone[4..6]) * 60;
        secs -= if zone[0] == b'+' { offset } else { -offset };
    }
    Some((d, Some(secs)))
}

/// n as `width` base-224 digits (bytes 0x20-0xFF), most significant first, from its
/// digits in base `base` (most significant first): packing.py's digits() of a big number.
fn rebase(values: impl Iterator<Item = u32>, base: u32, width: usize, out: &mut Vec<u8>) {
    let mut limbs: Vec<u32> = Vec::with_capacity(width); // base 224, least significant first
    for v in values {
        let mut carry = v;
        for limb in limbs.iter_mut() {
            let x = *limb * base + carry;
            *limb = x % BASE;
            carry = x / BASE;
        }
        while carry > 0 {
            limbs.push(carry % BASE);
            carry /= BASE;
        }
    }
    debug_assert!(limbs.len() <= width);
    limbs.resize(width, 0);
    out.extend(limbs.iter().rev().map(|&d| (0x20 + d) as u8));
}

fn number_digits(n: i64, width: usize, out: &mut Vec<u8>) {
    let mut d = vec![0u8; width];
    let mut n = n as u64;
    for slot in d.iter_mut().rev() {
        *slot = 0x20 + (n % BASE as u64) as u8;
        n /= BASE as u64;
    }
    out.extend(d);
}

/// packing.text: a length-prefixed text.
fn text(value: &[u8], out: &mut Vec<u8>) {
    let n = value.len();
    if n <= SHORT_MOST {
        out.push(0x20 + n as u8);
    } else {
        out.push(LONG);
        number_digits(n as i64, 2, out);
    }
    out.extend_from_slice(value);
}

fn coded(value: &[u8], table: &HashMap<Vec<u8>, u8>, out: &mut Vec<u8>) {
    match table.get(value) {
        Some(&code) => out.push(code),
        None => text(value, out),
    }
}

/// A record accepted: what the compact tables need of it (its id, its body, the
/// normalised VIN and the plate's keys it is indexed under: compact.vin_key, plate_keys).
pub struct Vehicle {
    pub id: String,
    pub body: Vec<u8>,
    pub vin_key: Option<String>,
    pub plate_keys: Vec<String>,
}

/// What packing needs beyond the line: the code tables (body.py, packing.py), passed in
/// by the Python side so that they are written in one place.
pub struct Tables {
    pub countries: HashMap<Vec<u8>, u8>,
    pub makes: HashMap<Vec<u8>, u8>,
    pub models: HashMap<Vec<u8>, u8>,
    pub colours: HashMap<Vec<u8>, u8>,
    pub actions: HashMap<Vec<u8>, u8>,
    text_width: Vec<usize>,
}

pub fn code_table(names: &[String]) -> HashMap<Vec<u8>, u8> {
    names.iter().enumerate().map(|(i, n)| (n.as_bytes().to_vec(), CODE + i as u8)).collect()
}

impl Tables {
    pub fn new(countries: &[String], makes: &[String], models: &[String], colours: &[String],
               actions: &[String]) -> Self {
        // packing._TEXT_WIDTH: base-224 digits that hold any text of 38 characters of each
        // length, 38**n's digits.
        let mut text_width = vec![0usize];
        let mut limbs: Vec<u32> = vec![1];
        for _ in 1..64 {
            let mut carry = 0;
            for limb in limbs.iter_mut() {
                let x = *limb * 38 + carry;
                *limb = x % BASE;
                carry = x / BASE;
            }
            while carry > 0 {
                limbs.push(carry % BASE);
                carry /= BASE;
            }
            text_width.push(limbs.len());
        }
        Tables {
            countries: code_table(countries),
            makes: code_table(makes),
            models: code_table(models),
            colours: code_table(colours),
            actions: code_table(actions),
            text_width,
        }
    }

    fn packable(&self, s: &[u8]) -> bool {
        !s.is_empty() && s.len() < 64 && s.iter().all(|&b| TEXT_DIGIT[b as usize] != 0xFF)
    }

    /// packing.pack_text.
    fn pack_text(&self, s: &[u8], out: &mut Vec<u8>) {
        if !self.packable(s) {
            out.extend_from_slice(s);
            return;
        }
        out.push(0x80 + s.len() as u8);
        let values = s.iter().map(|&b| u32::from(TEXT_DIGIT[b as usize]));
        rebase(values, 38, self.text_width[s.len()], out);
    }

    /// fast_smv then body.pack_fields: the record when the line is a plainly valid SMV
    /// record, else None.
    pub fn vehicle(&self, line: &[u8]) -> Option<Vehicle> {
        let f = read_fields(line)?;
        let rid = f[K_ID]?;
        if !plain(rid, 64) || !opt_plain(f[K_VIN], 32) || !opt_plain(f[K_PLATE], 20) {
            return None;
        }
        if f[K_VIN].is_none() && f[K_PLATE].is_none() {
            return None;
        }
        let country = f[K_COUNTRY];
        if let Some(c) = country {
            if c.is_empty() || c.len() > 3 || !c.iter().all(u8::is_ascii_uppercase) {
                return None;
            }
        }
        for k in [K_MAKE, K_MODEL, K_COLOUR, K_OWNER] {
            if !opt_plain(f[k], 128) {
                return None;
            }
        }
        if let Some(a) = f[K_ACTION] {
            if !self.actions.contains_key(a) {
                return None;
            }
        }
        let mut packed_when: Vec<u8> = Vec::new();
        if let Some(r) = f[K_REPORTED] {
            match when(r)? {
                (d, None) => number_digits(d, 3, &mut packed_when),
                (_, Some(secs)) => {
                    // A midnight the model reads as a date; a time before 1900 it keeps as
                    // text: both left to the Python side.
                    if &r[11..19] == b"00:00:00" || secs < 0 {
                        return None;
                    }
                    packed_when.push(PACKED);
                    number_digits(secs, 5, &mut packed_when);
                }
            }
        }
        let until = match f[K_UNTIL] {
            None => None,
            Some(u) => match when(u)? {
                (_, Some(secs)) => Some(secs.max(0)),
                (_, None) => return None,
            },
        };
        let mut body = Vec::with_capacity(48);
        self.pack_text(rid, &mut body);
        body.push(US);
        body.push(0);
        let mut bits = 0u8;
        if let Some(v) = f[K_VIN] {
            bits |= B_VIN;
            if v.len() == 17 && v.iter().all(|&b| VIN_DIGIT[b as usize] != 0xFF) {
                body.push(PACKED);
                let values = v.iter().map(|&b| u32::from(VIN_DIGIT[b as usize]));
                rebase(values, 33, 11, &mut body);
            } else {
                text(v, &mut body);
            }
        }
        if let Some(p) = f[K_PLATE] {
            bits |= B_PLATE;
            if self.packable(p) {
                self.pack_text(p, &mut body);
            } else {
                text(p, &mut body);
            }
        }
        if let Some(c) = country {
            bits |= B_COUNTRY;
            coded(c, &self.countries, &mut body);
        }
        for (k, bit, table) in [(K_MAKE, B_MAKE, &self.makes), (K_MODEL, B_MODEL, &self.models),
                                (K_COLOUR, B_COLOUR, &self.colours)] {
            if let Some(v) = f[k] {
                bits |= bit;
                coded(v, table, &mut body);
            }
        }
        if !packed_when.is_empty() {
            bits |= B_WHEN;
            body.extend_from_slice(&packed_when);
        }
        let at = body.iter().position(|&b| b == US).unwrap() + 1;
        body[at] = CODE | bits;
        let mut more = 0u8;
        let mut tail = Vec::new();
        if let Some(a) = f[K_ACTION] {
            more |= B_ACTION;
            coded(a, &self.actions, &mut tail);
        }
        if let Some(o) = f[K_OWNER] {
            more |= B_OWNER;
            let ncb = country.is_some_and(|c| o.len() == 4 + c.len() && o.starts_with(b"NCB-") && &o[4..] == c);
            if ncb {
                tail.push(CODE);
            } else {
                text(o, &mut tail);
            }
        }
        if let Some(secs) = until {
            more |= B_UNTIL;
            number_digits(secs, 5, &mut tail);
        }
        if more != 0 {
            body.push(CODE | more);
            body.extend(tail);
        }
        // ASCII (the reader takes nothing else): folded as normalize.py's _fold_code folds.
        let fold = |b: &[u8]| codes::fold_code_ascii(std::str::from_utf8(b).unwrap()).unwrap();
        Some(Vehicle {
            id: String::from_utf8(rid.to_vec()).unwrap(),
            body,
            vin_key: f[K_VIN].map(fold).filter(|v| !v.is_empty()),
            plate_keys: f[K_PLATE].map(|p| codes::plate_index_keys(&fold(p))).unwrap_or_default(),
        })
    }
}

/// blake2b with an N-byte digest (5: SMV index keys; 8: notices' name slots).
pub fn blake2b<const N: usize>(data: &[u8]) -> [u8; N] {
    let mut h = Blake2bVar::new(N).unwrap();
    h.update(data);
    let mut out = [0u8; N];
    h.finalize_variable(&mut out).unwrap();
    out
}

/// compact.id_digest_of: CRC-32 of the id, NUL bytes made 1.
pub fn id_digest(id: &[u8]) -> [u8; 4] {
    let mut d = crc32fast::hash(id).to_be_bytes();
    for b in d.iter_mut() {
        if *b == 0 {
            *b = 1;
        }
    }
    d
}

/// The compact tables' bucket counts, partitions and index fields per bucket.
pub struct Shape {
    pub buckets: (u32, u32, u32),
    pub parts: usize,
    pub slots: u32,
}

/// fast.pack_vehicles: records into their tables' partitions (records, VIN index,
/// plate index), each entry as that function writes it.
pub fn pack_vehicles<'a>(records: impl Iterator<Item = &'a Vehicle>, shape: &Shape) -> [Vec<Vec<u8>>; 3] {
    let (record_buckets, vin_buckets, plate_buckets) = shape.buckets;
    let parts = shape.parts;
    let mut out: [Vec<Vec<u8>>; 3] = std::array::from_fn(|_| vec![Vec::new(); parts]);
    let index = |k: [u8; 5], buckets: u32, digest: &[u8; 4], into: &mut Vec<Vec<u8>>| {
        let b = (u32::from(k[0]) << 16 | u32::from(k[1]) << 8 | u32::from(k[2])) % buckets;
        let part = &mut into[b as usize % parts];
        part.extend_from_slice(&b.to_be_bytes());
        part.push((u32::from(k[3]) % shape.slots) as u8);
        part.push(if k[4] == 0 { 1 } else { k[4] });
        part.extend_from_slice(digest);
    };
    for r in records {
        let digest = id_digest(r.id.as_bytes());
        let b = (u32::from(digest[2]) << 8 | u32::from(digest[3])) % record_buckets;
        // The entry: its bucket, the pair's length, then the pair (field and body in RESP).
        let size = r.body.len().to_string();
        let pair_len = 4 + 2 + 3 + size.len() + 2 + r.body.len() + 2;
        let part = &mut out[0][b as usize % parts];
        part.extend_from_slice(&b.to_be_bytes());
        part.extend_from_slice(&(pair_len as u16).to_be_bytes());
        part.extend_from_slice(b"$2\r\n");
        part.extend_from_slice(&digest[..2]);
        part.extend_from_slice(b"\r\n$");
        part.extend_from_slice(size.as_bytes());
        part.extend_from_slice(b"\r\n");
        part.extend_from_slice(&r.body);
        part.extend_from_slice(b"\r\n");
        let [_, vins, plates] = &mut out;
        if let Some(v) = r.vin_key.as_deref() {
            index(blake2b::<5>(v.as_bytes()), vin_buckets, &digest, vins);
        }
        for key in &r.plate_keys {
            index(blake2b::<5>(key.as_bytes()), plate_buckets, &digest, plates);
        }
    }
    out
}

/// blocks._group_packed: packed index entries (bucket u32, field number u8, 5-byte
/// entry) joined per field of each bucket, an entry once, one RESP field/value pair a
/// field (the field named by its number in decimal); buckets and fields in the order
/// first met.
pub fn group_packed<'a>(chunks: impl Iterator<Item = &'a [u8]>) -> Vec<(u32, usize, Vec<u8>)> {
    let mut field_at: HashMap<u32, usize> = HashMap::new();
    let mut fields: Vec<(u32, Vec<u8>)> = Vec::new();
    for chunk in chunks {
        for e in chunk.chunks_exact(10) {
            let b = u32::from_be_bytes([e[0], e[1], e[2], e[3]]);
            let key = b << 8 | u32::from(e[4]);
            let at = *field_at.entry(key).or_insert_with(|| {
                fields.push((key, Vec::new()));
                fields.len() - 1
            });
            let value = &mut fields[at].1;
            if !value.chunks_exact(5).any(|had| had == &e[5..]) {
                value.extend_from_slice(&e[5..]);
            }
        }
    }
    let mut bucket_at: HashMap<u32, usize> = HashMap::new();
    let mut buckets: Vec<(u32, usize, Vec<u8>)> = Vec::new();
    for (key, value) in fields {
        let name = (key & 0xFF).to_string();
        let at = *bucket_at.entry(key >> 8).or_insert_with(|| {
            buckets.push((key >> 8, 0, Vec::new()));
            buckets.len() - 1
        });
        let (_, pairs, body) = &mut buckets[at];
        *pairs += 1;
        body.extend_from_slice(format!("${}\r\n{}\r\n${}\r\n", name.len(), name, value.len()).as_bytes());
        body.extend_from_slice(&value);
        body.extend_from_slice(b"\r\n");
    }
    buckets
}

/// blocks.group_entries (modes other than packed): entries (bucket u32, length u16,
/// then that many bytes) grouped by bucket, in the order first met. None when a chunk
/// is cut short (the Python side then raises as it would).
pub fn group_entries<'a>(chunks: impl Iterator<Item = &'a [u8]>) -> Option<Vec<(u32, usize, Vec<u8>)>> {
    let mut at: HashMap<u32, usize> = HashMap::new();
    let mut out: Vec<(u32, usize, Vec<u8>)> = Vec::new();
    for chunk in chunks {
        let mut pos = 0;
        while pos < chunk.len() {
            let head = chunk.get(pos..pos + 6)?;
            let b = u32::from_be_bytes([head[0], head[1], head[2], head[3]]);
            let size = usize::from(u16::from_be_bytes([head[4], head[5]]));
            pos += 6;
            let pair = chunk.get(pos..pos + size)?;
            pos += size;
            let i = *at.entry(b).or_insert_with(|| {
                out.push((b, 0, Vec::new()));
                out.len() - 1
            });
            out[i].1 += 1;
            out[i].2.extend_from_slice(pair);
        }
    }
    Some(out)
}

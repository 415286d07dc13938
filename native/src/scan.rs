//! Scan validation with the rules of screening/models/scans.py and common.py.
//!
//! Each field comes out as a value, or a fault: missing, invalid, or "defer" for the
//! input forms this core does not decide (pydantic's rarer lax forms: a number or a
//! digit string for a date, a string for a number, timestamps outside RFC 3339's
//! usual shape, text outside ASCII where Python's Unicode tables would decide). A scan
//! with a deferred field goes to the models, which stay the contract's source.

use serde_json::{Map, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    Missing,
    Invalid,
    Defer,
}

pub type Field<T> = Result<T, Fault>;

/// A field's value and whether the scan sent it (pydantic's fields set).
pub struct Opt<T> {
    pub value: Option<T>,
    pub sent: bool,
}

pub struct Stamp {
    pub year: i32,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    pub micro: u32,
    pub offset: i32,
}

pub struct Base {
    pub event_id: String,
    pub checkpoint_id: String,
    pub terminal_id: String,
    pub scanned_at: Stamp,
    pub exercise: Opt<bool>,
}

pub struct Document {
    pub mrz: Opt<String>,
    pub number: Opt<String>,
    pub issuing_state: Opt<String>,
    pub doc_type: Opt<String>,
    pub expiry: Opt<(i32, u32, u32)>,
}

pub struct Holder {
    pub surname: Opt<String>,
    pub given_names: Opt<String>,
    pub date_of_birth: Opt<String>,
    pub nationality: Opt<String>,
    pub sex: Opt<&'static str>,
}

pub struct Vehicle {
    pub vin: Opt<String>,
    pub plate: Opt<String>,
    pub plate_country: Opt<String>,
    pub make: Opt<String>,
    pub model: Opt<String>,
    pub colour: Opt<String>,
}

pub enum Scan {
    Traveller { base: Base, document: Document, holder: Option<Holder> },
    Vehicle { base: Base, vehicle: Vehicle, read_confidence: Opt<f64> },
}

#[allow(clippy::large_enum_variant)] // one a scan, moved once
pub enum Outcome {
    Valid(Scan),
    /// A reason code the worker dead-letters with.
    Refused(&'static str),
    /// Not decided here: the models decide.
    Defer,
}

// --- characters -----------------------------------------------------------------------

fn control(c: char) -> bool {
    matches!(c, '\x00'..='\x1f' | '\x7f'..='\u{9f}' | '\u{2028}' | '\u{2029}')
}

fn control_but_newline(c: char) -> bool {
    c != '\n' && c != '\r' && control(c)
}

fn not_in_id(c: char) -> bool {
    control(c)
        || matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}'
            | '\u{2066}'..='\u{2069}' | '\u{00ad}' | '\u{180e}' | '\u{200b}'..='\u{200d}'
            | '\u{2060}'..='\u{2064}' | '\u{feff}')
}

/// Python's str.isspace: Unicode White_Space and the separators \x1c-\x1f.
fn py_space(c: char) -> bool {
    c.is_whitespace() || ('\x1c'..='\x1f').contains(&c)
}

// --- field rules ----------------------------------------------------------------------

fn id(v: Option<&Value>) -> Field<String> {
    match v {
        None => Err(Fault::Missing),
        Some(Value::String(s)) => {
            let s = s.trim();
            let n = s.chars().count();
            if !(1..=64).contains(&n) || s.chars().any(not_in_id) {
                return Err(Fault::Invalid);
            }
            Ok(s.to_owned())
        }
        Some(_) => Err(Fault::Invalid),
    }
}

fn text(v: Option<&Value>, max: usize, bad: fn(char) -> bool) -> Field<Opt<String>> {
    match v {
        None => Ok(Opt { value: None, sent: false }),
        Some(Value::Null) => Ok(Opt { value: None, sent: true }),
        Some(Value::String(s)) => {
            let s = s.trim();
            if s.chars().count() > max || s.chars().any(bad) {
                return Err(Fault::Invalid);
            }
            Ok(Opt { value: Some(s.to_owned()), sent: true })
        }
        Some(_) => Err(Fault::Invalid),
    }
}

/// CountryCode: Python's strip, upper and rstrip('<'), then pydantic's strip and
/// ^[A-Z]{1,3}$. Text outside ASCII is deferred (Python's case tables decide it).
fn country(v: Option<&Value>) -> Field<Opt<String>> {
    match v {
        None => Ok(Opt { value: None, sent: false }),
        Some(Value::Null) => Ok(Opt { value: None, sent: true }),
        Some(Value::String(s)) => {
            if !s.is_ascii() {
                return Err(Fault::Defer);
            }
            let upper = s.trim_matches(py_space).to_ascii_uppercase();
            let code = upper.trim_end_matches('<').trim();
            if (1..=3).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_uppercase()) {
                Ok(Opt { value: Some(code.to_owned()), sent: true })
            } else {
                Err(Fault::Invalid)
            }
        }
        Some(_) => Err(Fault::Invalid),
    }
}

fn leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in(y: i32, m: u32) -> u32 {
    match m {
        2 if leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn valid_date(y: i32, m: u32, d: u32) -> bool {
    (1..=9999).contains(&y) && (1..=12).contains(&m) && d >= 1 && d <= days_in(y, m)
}

fn digits(b: &[u8]) -> Option<u32> {
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0, |n, &d| n * 10 + u32::from(d - b'0')))
}

/// PartialDate: YYYY, YYYY-MM or YYYY-MM-DD, born 1800-2100. Python's \d takes any
/// Unicode decimal digit: text outside ASCII is deferred.
fn partial_date(v: Option<&Value>) -> Field<Opt<String>> {
    match v {
        None => Ok(Opt { value: None, sent: false }),
        Some(Value::Null) => Ok(Opt { value: None, sent: true }),
        Some(Value::String(s)) => {
            let s = s.trim();
            if !s.is_ascii() {
                return Err(Fault::Defer);
            }
            let b = s.as_bytes();
            let shape = matches!(b.len(), 4 | 7 | 10)
                && b[..4].iter().all(u8::is_ascii_digit)
                && (b.len() < 7 || (b[4] == b'-' && b[5..7].iter().all(u8::is_ascii_digit)))
                && (b.len() < 10 || (b[7] == b'-' && b[8..10].iter().all(u8::is_ascii_digit)));
            if !shape {
                return Err(Fault::Invalid);
            }
            let year = digits(&b[..4]).unwrap_or(0) as i32;
            if !(1800..=2100).contains(&year) {
                return Err(Fault::Invalid);
            }
            if b.len() >= 7 {
                let month = digits(&b[5..7]).unwrap_or(0);
                if !(1..=12).contains(&month) {
                    return Err(Fault::Invalid);
                }
                if b.len() == 10 && !valid_date(year, month, digits(&b[8..10]).unwrap_or(0)) {
                    return Err(Fault::Invalid);
                }
            }
            Ok(Opt { value: Some(s.to_owned()), sent: true })
        }
        Some(_) => Err(Fault::Invalid),
    }
}

/// ExpiryDate: a "YYYY-MM-DD" string in 1900-2200. pydantic also takes numbers (Unix
/// time), digit strings and midnight date-times: those are deferred.
fn expiry(v: Option<&Value>) -> Field<Opt<(i32, u32, u32)>> {
    match v {
        None => Ok(Opt { value: None, sent: false }),
        Some(Value::Null) => Ok(Opt { value: None, sent: true }),
        Some(Value::String(s)) => {
            let b = s.as_bytes();
            let shape = b.len() == 10 && b[4] == b'-' && b[7] == b'-';
            let (Some(y), Some(m), Some(d)) = (
                digits(b.get(..4).unwrap_or_default()),
                digits(b.get(5..7).unwrap_or_default()),
                digits(b.get(8..10).unwrap_or_default()),
            ) else {
                return Err(Fault::Defer);
            };
            if !shape || y == 0 {
                return Err(Fault::Defer);
            }
            let y = y as i32;
            if !valid_date(y, m, d) || !(1900..=2200).contains(&y) {
                return Err(Fault::Invalid);
            }
            Ok(Opt { value: Some((y, m, d)), sent: true })
        }
        Some(_) => Err(Fault::Defer),
    }
}

fn sex(v: Option<&Value>) -> Field<Opt<&'static str>> {
    match v {
        None => Ok(Opt { value: None, sent: false }),
        Some(Value::Null) => Ok(Opt { value: None, sent: true }),
        Some(Value::String(s)) => match s.as_str() {
            "M" => Ok(Opt { value: Some("M"), sent: true }),
            "F" => Ok(Opt { value: Some("F"), sent: true }),
            "X" => Ok(Opt { value: Some("X"), sent: true }),
            _ => Err(Fault::Invalid),
        },
        Some(_) => Err(Fault::Invalid),
    }
}

#[allow(clippy::redundant_guards)] // -0.0 == 0.0 said as pydantic says it
fn boolean(v: Option<&Value>) -> Field<Opt<bool>> {
    let value = match v {
        None => return Ok(Opt { value: Some(false), sent: false }),
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
            (Some(0), _, _) => false,
            (Some(1), _, _) => true,
            (None, None, Some(f)) if f == 0.0 => false,
            (None, None, Some(f)) if f == 1.0 => true,
            _ => return Err(Fault::Invalid),
        },
        Some(Value::String(s)) => {
            if !s.is_ascii() {
                return Err(Fault::Defer);
            }
            match s.to_ascii_lowercase().as_str() {
                "1" | "on" | "t" | "true" | "y" | "yes" => true,
                "0" | "off" | "f" | "false" | "n" | "no" => false,
                _ => return Err(Fault::Invalid),
            }
        }
        Some(_) => return Err(Fault::Invalid),
    };
    Ok(Opt { value: Some(value), sent: true })
}

fn confidence(v: Option<&Value>) -> Field<Opt<f64>> {
    let x = match v {
        None => return Ok(Opt { value: None, sent: false }),
        Some(Value::Null) => return Ok(Opt { value: None, sent: true }),
        Some(Value::Bool(b)) => f64::from(u8::from(*b)),
        Some(Value::Number(n)) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
            (Some(u), _, _) => u as f64,
            (None, Some(i), _) => i as f64,
            (None, None, Some(f)) => f,
            _ => return Err(Fault::Defer),
        },
        Some(Value::String(_)) => return Err(Fault::Defer),
        Some(_) => return Err(Fault::Invalid),
    };
    if (0.0..=1.0).contains(&x) {
        Ok(Opt { value: Some(x), sent: true })
    } else {
        Err(Fault::Invalid)
    }
}

/// Timestamp: the contract's shape check (common.py's _date_time_text), then the
/// RFC 3339 forms: YYYY-MM-DD[Tt ]HH:MM[:SS[(.|,)digits]](Z|z|±HH:MM|±HHMM).
fn timestamp(v: Option<&Value>) -> Field<Stamp> {
    let s = match v {
        None => return Err(Fault::Missing),
        Some(Value::String(s)) => s.trim_matches(py_space),
        Some(_) => return Err(Fault::Invalid),
    };
    let b = s.as_bytes();
    // The shape check's \d is any Unicode digit: outside ASCII the models decide.
    if !b.iter().take(16).all(u8::is_ascii) {
        return Err(Fault::Defer);
    }
    let d = |r: std::ops::Range<usize>| b.get(r).and_then(digits);
    let shape = b.len() >= 16
        && d(0..4).is_some()
        && b[4] == b'-'
        && d(5..7).is_some()
        && b[7] == b'-'
        && d(8..10).is_some()
        && matches!(b[10], b'T' | b't' | b' ')
        && d(11..13).is_some()
        && b[13] == b':'
        && d(14..16).is_some();
    if !shape {
        return Err(Fault::Invalid);
    }
    if !s.is_ascii() {
        return Err(Fault::Defer);
    }
    let (year, month, day) = (d(0..4).unwrap_or(0) as i32, d(5..7).unwrap_or(0), d(8..10).unwrap_or(0));
    let (hour, minute) = (d(11..13).unwrap_or(99), d(14..16).unwrap_or(99));
    let mut i = 16;
    let (mut second, mut micro) = (0, 0);
    if b.get(i) == Some(&b':') {
        second = d(i + 1..i + 3).ok_or(Fault::Defer)?;
        i += 3;
        if matches!(b.get(i), Some(b'.' | b',')) {
            let n = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
            if n == 0 || n > 18 {
                return Err(Fault::Defer);
            }
            let frac = &b[i + 1..i + 1 + n.min(6)];
            micro = digits(frac).unwrap_or(0) * 10u32.pow(6 - frac.len() as u32);
            i += 1 + n;
        }
    }
    let offset = match &b[i..] {
        b"Z" | b"z" => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] | [sign @ (b'+' | b'-'), h1, h2, m1, m2] => {
            let (h, m) = (digits(&[*h1, *h2]).ok_or(Fault::Defer)?, digits(&[*m1, *m2]).ok_or(Fault::Defer)?);
            if h > 23 || m > 59 {
                return Err(Fault::Defer);
            }
            let secs = (h * 3600 + m * 60) as i32;
            if *sign == b'-' { -secs } else { secs }
        }
        _ => return Err(Fault::Defer),
    };
    if !valid_date(year, month, day) || hour > 23 || minute > 59 || second > 59 {
        return Err(Fault::Defer);
    }
    Ok(Stamp { year, month, day, hour, minute, second, micro, offset })
}

// --- models ---------------------------------------------------------------------------

/// The first fault of a model's fields, in field order, decides (as pydantic's first
/// error does).
macro_rules! take {
    ($first:ident, $e:expr) => {
        match $e {
            Ok(v) => Some(v),
            Err(f) => {
                $first.get_or_insert(f);
                None
            }
        }
    };
}

fn sent(o: &Opt<String>) -> bool {
    o.value.as_deref().is_some_and(|s| !s.is_empty())
}

#[allow(clippy::nonminimal_bool)] // as scans.py words the rule
fn document(v: Option<&Value>) -> Field<Document> {
    let m = match v {
        None => return Err(Fault::Missing),
        Some(Value::Object(m)) => m,
        Some(_) => return Err(Fault::Invalid),
    };
    let mut first = None;
    let mrz = take!(first, text(m.get("mrz"), 200, control_but_newline));
    let number = take!(first, text(m.get("number"), 30, control));
    let issuing_state = take!(first, country(m.get("issuing_state")));
    let doc_type = take!(first, text(m.get("type"), 2, control));
    let expiry = take!(first, expiry(m.get("expiry")));
    match (mrz, number, issuing_state, doc_type, expiry) {
        (Some(mrz), Some(number), Some(issuing_state), Some(doc_type), Some(expiry)) => {
            if !sent(&mrz) && !(sent(&number) && sent(&issuing_state)) {
                return Err(Fault::Invalid);
            }
            Ok(Document { mrz, number, issuing_state, doc_type, expiry })
        }
        _ => Err(first.unwrap_or(Fault::Invalid)),
    }
}

fn holder(v: Option<&Value>) -> Field<Option<Holder>> {
    let m = match v {
        None => return Ok(None),
        Some(Value::Object(m)) => m,
        Some(_) => return Err(Fault::Invalid),
    };
    let mut first = None;
    let surname = take!(first, text(m.get("surname"), 200, control));
    let given_names = take!(first, text(m.get("given_names"), 200, control));
    let date_of_birth = take!(first, partial_date(m.get("date_of_birth")));
    let nationality = take!(first, country(m.get("nationality")));
    let sex = take!(first, sex(m.get("sex")));
    match (surname, given_names, date_of_birth, nationality, sex) {
        (Some(surname), Some(given_names), Some(date_of_birth), Some(nationality), Some(sex)) => {
            Ok(Some(Holder { surname, given_names, date_of_birth, nationality, sex }))
        }
        _ => Err(first.unwrap_or(Fault::Invalid)),
    }
}

fn vehicle(v: Option<&Value>) -> Field<Vehicle> {
    let m = match v {
        None => return Err(Fault::Missing),
        Some(Value::Object(m)) => m,
        Some(_) => return Err(Fault::Invalid),
    };
    let mut first = None;
    let vin = take!(first, text(m.get("vin"), 32, control));
    let plate = take!(first, text(m.get("plate"), 20, control));
    let plate_country = take!(first, country(m.get("plate_country")));
    let make = take!(first, text(m.get("make"), 128, control));
    let model = take!(first, text(m.get("model"), 128, control));
    let colour = take!(first, text(m.get("colour"), 128, control));
    match (vin, plate, plate_country, make, model, colour) {
        (Some(vin), Some(plate), Some(plate_country), Some(make), Some(model), Some(colour)) => {
            if !sent(&vin) && !sent(&plate) {
                return Err(Fault::Invalid);
            }
            Ok(Vehicle { vin, plate, plate_country, make, model, colour })
        }
        _ => Err(first.unwrap_or(Fault::Invalid)),
    }
}

fn refused(f: Fault) -> Outcome {
    match f {
        Fault::Missing => Outcome::Refused("MISSING_FIELD"),
        Fault::Invalid => Outcome::Refused("INVALID_FIELD"),
        Fault::Defer => Outcome::Defer,
    }
}

fn validate(traveller: bool, m: &Map<String, Value>) -> Outcome {
    let mut first = None;
    let event_id = take!(first, id(m.get("event_id")));
    let checkpoint_id = take!(first, id(m.get("checkpoint_id")));
    let terminal_id = take!(first, id(m.get("terminal_id")));
    let scanned_at = take!(first, timestamp(m.get("scanned_at")));
    let exercise = take!(first, boolean(m.get("exercise")));
    let scan = if traveller {
        let document = take!(first, document(m.get("document")));
        let holder = take!(first, holder(m.get("holder")));
        if let Some(f) = first {
            return refused(f);
        }
        let (Some(document), Some(holder)) = (document, holder) else { return Outcome::Defer };
        Part::Traveller(document, holder)
    } else {
        let vehicle = take!(first, vehicle(m.get("vehicle")));
        let read_confidence = take!(first, confidence(m.get("read_confidence")));
        if let Some(f) = first {
            return refused(f);
        }
        let (Some(vehicle), Some(read_confidence)) = (vehicle, read_confidence) else {
            return Outcome::Defer;
        };
        Part::Vehicle(vehicle, read_confidence)
    };
    let (Some(event_id), Some(checkpoint_id), Some(terminal_id), Some(scanned_at), Some(exercise)) =
        (event_id, checkpoint_id, terminal_id, scanned_at, exercise)
    else {
        return Outcome::Defer;
    };
    let base = Base { event_id, checkpoint_id, terminal_id, scanned_at, exercise };
    Outcome::Valid(match scan {
        Part::Traveller(document, holder) => Scan::Traveller { base, document, holder },
        Part::Vehicle(vehicle, read_confidence) => Scan::Vehicle { base, vehicle, read_confidence },
    })
}

enum Part {
    Traveller(Document, Option<Holder>),
    Vehicle(Vehicle, Opt<f64>),
}


const BOM: &[u8] = b"\xef\xbb\xbf";

/// codec.py's decode_object then validate_scan, for one raw scan.
pub fn decode(traveller: bool, raw: Option<&[u8]>, max_bytes: usize) -> Outcome {
    let Some(raw) = raw else { return Outcome::Refused("EMPTY") };
    // bytes.strip(): ASCII whitespace.
    if raw.iter().all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)) {
        return Outcome::Refused("EMPTY");
    }
    if raw.len() > max_bytes {
        return Outcome::Refused("TOO_LARGE");
    }
    let body = raw.strip_prefix(BOM).unwrap_or(raw);
    // What serde_json refuses (and nesting beyond its 128 levels, where orjson allows
    // 1024) is left to the reference decoder, which names the error as orjson does.
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => validate(traveller, &m),
        Ok(_) => Outcome::Refused("NOT_AN_OBJECT"),
        Err(_) => Outcome::Defer,
    }
}

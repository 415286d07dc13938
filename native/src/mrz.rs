//! ICAO Doc 9303 check digits and machine readable zones, as screening/matching/mrz.py
//! and checkdigits.py specify them (those stay the reference the tests compare with).

/// The value of an MRZ character: 0-9, A-Z = 10-35, '<' = 0; None for anything else.
fn icao_value(b: u8) -> Option<u32> {
    match b {
        b'0'..=b'9' => Some(u32::from(b - b'0')),
        b'A'..=b'Z' => Some(u32::from(b - b'A') + 10),
        b'<' => Some(0),
        _ => None,
    }
}

/// ICAO 9303 part 3 §4.9 check digit; Err(the first character not allowed).
pub fn icao_check_digit(field: &str) -> Result<u8, char> {
    let mut total: u32 = 0;
    for (i, ch) in field.chars().enumerate() {
        let v = if ch.is_ascii() { icao_value(ch as u8) } else { None };
        let Some(v) = v else { return Err(ch) };
        total += v * [7, 3, 1][i % 3];
    }
    Ok(b'0' + (total % 10) as u8)
}

/// Check digit of an all-MRZ-alphabet field (what the parser passes: never fails).
fn digit_of(field: &[u8]) -> u8 {
    let total: u32 = field
        .iter()
        .enumerate()
        .map(|(i, &b)| icao_value(b).unwrap_or(0) * [7, 3, 1][i % 3])
        .sum();
    b'0' + (total % 10) as u8
}

/// ISO 3779 transliteration of a VIN character; None where no VIN holds it.
fn vin_value(ch: char) -> Option<u32> {
    Some(match ch {
        '0'..='9' => ch as u32 - '0' as u32,
        'A'..='H' => ch as u32 - 'A' as u32 + 1,
        'J'..='N' => ch as u32 - 'J' as u32 + 1,
        'P' => 7,
        'R' => 9,
        'S'..='Z' => ch as u32 - 'S' as u32 + 2,
        _ => return None,
    })
}

const VIN_WEIGHTS: [u32; 17] = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];

pub enum VinError {
    Length,
    Character(char),
}

pub fn vin_check_digit(vin: &str) -> Result<char, VinError> {
    if vin.chars().count() != 17 {
        return Err(VinError::Length);
    }
    let mut total = 0;
    for (ch, w) in vin.chars().zip(VIN_WEIGHTS) {
        total += vin_value(ch).ok_or(VinError::Character(ch))? * w;
    }
    let rem = total % 11;
    Ok(if rem == 10 { 'X' } else { char::from(b'0' + rem as u8) })
}

/// vin.py's vin_check_ok on an already normalised VIN.
pub fn vin_check_ok(v: &str) -> Option<bool> {
    let b = v.as_bytes();
    let vin_char = |c: u8| c.is_ascii_digit() || (c.is_ascii_uppercase() && !b"IOQ".contains(&c));
    if b.len() != 17 || !b.iter().all(|&c| vin_char(c)) {
        return None;
    }
    if !(b[8].is_ascii_digit() || b[8] == b'X') {
        return None;
    }
    match vin_check_digit(v) {
        Ok(d) => Some(b[8] as char == d),
        Err(_) => None,
    }
}

// --- parsing ------------------------------------------------------------------------

pub struct Mrz {
    pub format: &'static str,
    pub document_type: String,
    pub issuing_state: String,
    pub document_number: String,
    pub surname: String,
    pub given_names: String,
    pub nationality: String,
    pub date_of_birth: Option<String>,
    pub sex: Option<&'static str>,
    pub expiry: Option<(i32, u32, u32)>,
    pub optional_data: String,
    pub failed_checks: Vec<&'static str>,
}

const ALPHABET: &str = "an MRZ holds only A-Z, 0-9 and '<'";

/// Python's str.isspace for ASCII (it counts the separators \x1c-\x1f as space).
fn py_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c | 0x1c..=0x1f)
}

/// Python's str.splitlines boundaries within ASCII.
fn line_break(b: u8) -> bool {
    matches!(b, b'\n' | b'\r' | 0x0b | 0x0c | 0x1c | 0x1d | 0x1e)
}

fn strip(s: &[u8]) -> &[u8] {
    let start = s.iter().position(|&b| !py_space(b)).unwrap_or(s.len());
    let end = s.iter().rposition(|&b| !py_space(b)).map_or(start, |e| e + 1);
    &s[start..end.max(start)]
}

fn lines(text: &str) -> Result<Vec<Vec<u8>>, String> {
    if !text.is_ascii() {
        return Err(ALPHABET.into());
    }
    let mut lines: Vec<Vec<u8>> = text
        .as_bytes()
        .split(|&b| line_break(b))
        .map(|ln| strip(ln).to_ascii_uppercase())
        .filter(|ln| !ln.is_empty())
        .collect();
    for ln in &lines {
        if !ln.iter().all(|&b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'<') {
            return Err(ALPHABET.into());
        }
    }
    if lines.len() == 1 {
        let n = match lines[0].len() {
            90 => Some(3),
            72 => Some(2),
            88 => Some(2),
            _ => None,
        };
        if let Some(n) = n {
            let one = lines.remove(0);
            let w = one.len() / n;
            lines = one.chunks(w).map(<[u8]>::to_vec).collect();
        }
    }
    let shape_ok = !lines.is_empty()
        && matches!((lines.len(), lines[0].len()), (3, 30) | (2, 36) | (2, 44))
        && lines.iter().all(|ln| ln.len() == lines[0].len());
    if !shape_ok {
        let shape = if lines.is_empty() {
            "empty".to_string()
        } else {
            lines.iter().map(|ln| ln.len().to_string()).collect::<Vec<_>>().join("x")
        };
        return Err(format!("expected 3x30, 2x36 or 2x44 characters, got {shape}"));
    }
    Ok(lines)
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn without_filler(b: &[u8]) -> String {
    b.iter().filter(|&&c| c != b'<').map(|&c| c as char).collect()
}

fn strip_filler(b: &[u8]) -> &[u8] {
    let start = b.iter().position(|&c| c != b'<').unwrap_or(b.len());
    let end = b.iter().rposition(|&c| c != b'<').map_or(start, |e| e + 1);
    &b[start..end.max(start)]
}

fn words(b: &[u8]) -> String {
    b.split(|&c| c == b'<').filter(|w| !w.is_empty()).map(text).collect::<Vec<_>>().join(" ")
}

fn names(field: &[u8]) -> (String, String) {
    let end = field.iter().rposition(|&c| c != b'<').map_or(0, |e| e + 1);
    let f = &field[..end];
    match f.windows(2).position(|w| w == b"<<") {
        Some(i) => (words(&f[..i]), words(&f[i + 2..])),
        None => (words(f), String::new()),
    }
}

fn leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn valid_date(y: i32, m: i64, d: i64) -> bool {
    if !(1..=9999).contains(&y) || !(1..=12).contains(&m) || d < 1 {
        return false;
    }
    let days = match m {
        2 if leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    d <= days
}

fn two_digits(b: &[u8]) -> Option<i64> {
    if b.len() == 2 && b.iter().all(u8::is_ascii_digit) {
        Some(i64::from(b[0] - b'0') * 10 + i64::from(b[1] - b'0'))
    } else {
        None
    }
}

/// Month or day: None when unknown, Some(-1) when not a number at all.
fn part(two: &[u8]) -> Option<i64> {
    if two == b"<<" || two == b"XX" || two == b"00" {
        return None;
    }
    Some(two_digits(two).unwrap_or(-1))
}

pub type Today = (i32, u32, u32);

fn birth_date(field: &[u8], today: Today) -> Option<String> {
    let yy = two_digits(&field[0..2])?;
    let mut month = part(&field[2..4]);
    let mut day = part(&field[4..6]);
    if month == Some(-1) || day == Some(-1) {
        return None;
    }
    if month.is_none() {
        day = None;
    }
    let mut year = 2000 + yy as i32;
    let key = (year, month.unwrap_or(1), day.unwrap_or(1));
    if key > (today.0, i64::from(today.1), i64::from(today.2)) {
        year -= 100;
    }
    if !valid_date(year, month.unwrap_or(1), day.unwrap_or(1)) {
        return None;
    }
    match (month.take(), day) {
        (None, _) => Some(format!("{year:04}")),
        (Some(m), None) => Some(format!("{year:04}-{m:02}")),
        (Some(m), Some(d)) => Some(format!("{year:04}-{m:02}-{d:02}")),
    }
}

fn expiry(field: &[u8], today: Today) -> Option<(i32, u32, u32)> {
    if !field.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut year = 2000 + two_digits(&field[0..2])? as i32;
    if year > today.0 + 50 {
        year -= 100;
    }
    let (m, d) = (two_digits(&field[2..4])?, two_digits(&field[4..6])?);
    valid_date(year, m, d).then_some((year, m as u32, d as u32))
}

/// mrz.py's _long_number: (number, covered, check digit, rest of the optional data).
fn long_number(head: &[u8], check: u8, optional: &[u8]) -> (String, Vec<u8>, u8, Vec<u8>) {
    if check == b'<' && !optional.is_empty() && optional[0] != b'<' {
        let cut = optional.iter().position(|&c| c == b'<');
        let (continuation, rest) = match cut {
            Some(i) => (&optional[..i], &optional[i + 1..]),
            None => (optional, &optional[optional.len()..]),
        };
        let mut covered = head.to_vec();
        covered.extend_from_slice(&continuation[..continuation.len() - 1]);
        return (
            without_filler(&covered),
            covered,
            continuation[continuation.len() - 1],
            rest.to_vec(),
        );
    }
    (without_filler(head), head.to_vec(), check, optional.to_vec())
}

fn check(failed: &mut Vec<&'static str>, name: &'static str, field: &[u8], digit: u8) {
    if digit_of(field) != digit {
        failed.push(name);
    }
}

fn sex(b: u8) -> Option<&'static str> {
    match b {
        b'M' => Some("M"),
        b'F' => Some("F"),
        b'X' => Some("X"),
        _ => None,
    }
}

fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

fn parse_td1(l: &[Vec<u8>], today: Today) -> Mrz {
    let (l1, l2, l3) = (&l[0], &l[1], &l[2]);
    let mut failed = Vec::new();
    let (number, covered, number_check, optional1) = long_number(&l1[5..14], l1[14], &l1[15..30]);
    check(&mut failed, "document_number", &covered, number_check);
    check(&mut failed, "date_of_birth", &l2[0..6], l2[6]);
    check(&mut failed, "expiry", &l2[8..14], l2[14]);
    let composite = cat(&[&l1[5..30], &l2[0..7], &l2[8..15], &l2[18..29]]);
    check(&mut failed, "composite", &composite, l2[29]);
    let (surname, given_names) = names(l3);
    let optional = [strip_filler(&optional1), strip_filler(&l2[18..29])]
        .iter()
        .filter(|p| !p.is_empty())
        .map(|p| text(p))
        .collect::<Vec<_>>()
        .join(" ");
    Mrz {
        format: "TD1",
        document_type: without_filler(&l1[0..2]),
        issuing_state: without_filler(&l1[2..5]),
        document_number: number,
        surname,
        given_names,
        nationality: without_filler(&l2[15..18]),
        date_of_birth: birth_date(&l2[0..6], today),
        sex: sex(l2[7]),
        expiry: expiry(&l2[8..14], today),
        optional_data: optional,
        failed_checks: failed,
    }
}

fn parse_two_lines(format: &'static str, l: &[Vec<u8>], today: Today) -> Mrz {
    let (l1, l2) = (&l[0], &l[1]);
    let width = l2.len();
    let mut failed = Vec::new();
    let optional_end = match format {
        "TD3" => 42,
        "TD2" => 35,
        _ => width,
    };
    let mut optional = l2[28..optional_end].to_vec();
    let (number, covered, number_check);
    if format == "TD2" {
        let (n, c, d, rest) = long_number(&l2[0..9], l2[9], &optional);
        (number, covered, number_check, optional) = (n, c, d, rest);
    } else {
        (number, covered, number_check) = (without_filler(&l2[0..9]), l2[0..9].to_vec(), l2[9]);
    }
    check(&mut failed, "document_number", &covered, number_check);
    check(&mut failed, "date_of_birth", &l2[13..19], l2[19]);
    check(&mut failed, "expiry", &l2[21..27], l2[27]);
    if format == "TD3" && !(l2[42] == b'<' && strip_filler(&optional).is_empty()) {
        check(&mut failed, "optional_data", &optional, l2[42]);
    }
    if format == "TD2" || format == "TD3" {
        let composite = cat(&[&l2[0..10], &l2[13..20], &l2[21..width - 1]]);
        check(&mut failed, "composite", &composite, l2[width - 1]);
    }
    let (surname, given_names) = names(&l1[5..]);
    Mrz {
        format,
        document_type: without_filler(&l1[0..2]),
        issuing_state: without_filler(&l1[2..5]),
        document_number: number,
        surname,
        given_names,
        nationality: without_filler(&l2[10..13]),
        date_of_birth: birth_date(&l2[13..19], today),
        sex: sex(l2[20]),
        expiry: expiry(&l2[21..27], today),
        optional_data: text(strip_filler(&optional)),
        failed_checks: failed,
    }
}

pub fn parse_mrz(text: &str, today: Today) -> Result<Mrz, String> {
    let lines = lines(text)?;
    let visa = lines[0][0] == b'V';
    Ok(match (lines.len(), lines[0].len()) {
        (3, _) => parse_td1(&lines, today),
        (_, 36) => parse_two_lines(if visa { "MRVB" } else { "TD2" }, &lines, today),
        _ => parse_two_lines(if visa { "MRVA" } else { "TD3" }, &lines, today),
    })
}

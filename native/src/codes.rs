//! Look-up keys of codes: document numbers' O/0 I/1 variants (matching/documents.py),
//! plate skeletons (plates.py), VIN corrections (vin.py), and the ASCII case of the
//! code folding of matching/normalize.py (what is not ASCII is transliterated there).

const MAX_SWAPS: usize = 2;
const MAX_VARIANTS: usize = 24;

fn swap(ch: char) -> Option<char> {
    match ch {
        'O' => Some('0'),
        '0' => Some('O'),
        'I' => Some('1'),
        '1' => Some('I'),
        _ => None,
    }
}

/// (variant, swaps): single swaps left to right, then pairs, as itertools.combinations.
pub fn confusable_variants(normalised: &str) -> Vec<(String, usize)> {
    let chars: Vec<char> = normalised.chars().collect();
    let positions: Vec<usize> = (0..chars.len()).filter(|&i| swap(chars[i]).is_some()).collect();
    let mut out = Vec::new();
    let variant = |chosen: &[usize]| {
        let mut c = chars.clone();
        for &i in chosen {
            c[i] = swap(c[i]).unwrap_or(c[i]);
        }
        c.into_iter().collect::<String>()
    };
    for &i in &positions {
        out.push((variant(&[i]), 1));
        if out.len() == MAX_VARIANTS {
            return out;
        }
    }
    if MAX_SWAPS >= 2 {
        for (a, &i) in positions.iter().enumerate() {
            for &j in &positions[a + 1..] {
                out.push((variant(&[i, j]), 2));
                if out.len() == MAX_VARIANTS {
                    return out;
                }
            }
        }
    }
    out
}

/// normalize.py's _fold_code for ASCII text: upper case, only A-Z and 0-9 kept.
pub fn fold_code_ascii(s: &str) -> Option<String> {
    if !s.is_ascii() {
        return None;
    }
    Some(s.bytes().filter(u8::is_ascii_alphanumeric).map(|b| b.to_ascii_uppercase() as char).collect())
}

/// normalize.py's canonical_country for ASCII text.
pub fn canonical_country_ascii(code: &str) -> Option<String> {
    if !code.is_ascii() {
        return None;
    }
    let is_space = |c: char| matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c' | '\x1c'..='\x1f');
    let c: String = code.trim_matches(is_space).to_ascii_uppercase().replace('<', "");
    Some(match c.as_str() {
        "DEU" => "D".into(),
        "XKX" => "RKS".into(),
        _ => c,
    })
}

fn skeleton_char(ch: char) -> char {
    match ch {
        'O' | 'D' | 'Q' => '0',
        'I' => '1',
        'Z' => '2',
        'S' => '5',
        'B' => '8',
        'G' => '6',
        _ => ch,
    }
}

pub fn skeleton(plate: &str) -> String {
    plate.chars().map(skeleton_char).collect()
}

fn push_new(keys: &mut Vec<String>, key: String) {
    if !keys.contains(&key) {
        keys.push(key);
    }
}

/// Each text with one character fewer, first occurrences kept, in order.
fn deletions(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    for i in 0..chars.len() {
        let d: String = chars[..i].iter().chain(&chars[i + 1..]).collect();
        push_new(&mut out, d);
    }
    out
}

/// plates.py's plate_index_keys after normalisation.
pub fn plate_index_keys(normalised: &str) -> Vec<String> {
    let sk = skeleton(normalised);
    if sk.is_empty() {
        return Vec::new();
    }
    let mut keys = vec![sk.clone()];
    for d in deletions(&sk) {
        if d.chars().count() >= 3 {
            push_new(&mut keys, format!("-{d}"));
        }
    }
    keys
}

/// plates.py's plate_query_keys after normalisation.
pub fn plate_query_keys(normalised: &str, low_confidence: bool) -> Vec<String> {
    let sk = skeleton(normalised);
    if sk.is_empty() {
        return Vec::new();
    }
    let mut keys = vec![sk.clone()];
    if low_confidence {
        push_new(&mut keys, format!("-{sk}"));
        for d in deletions(&sk) {
            if d.chars().count() >= 3 {
                push_new(&mut keys, d);
            }
        }
    }
    keys
}

/// vin.py's vin_correction: I to 1, O and Q to 0, and how many changed.
pub fn vin_correction(normalised: &str) -> Option<(String, usize)> {
    let changed = normalised.chars().filter(|c| matches!(c, 'I' | 'O' | 'Q')).count();
    if changed == 0 {
        return None;
    }
    let fixed = normalised
        .chars()
        .map(|c| match c {
            'I' => '1',
            'O' | 'Q' => '0',
            _ => c,
        })
        .collect();
    Some((fixed, changed))
}

/// normalize.py's normalize_name for ASCII text: apostrophes dropped, upper case, other
/// punctuation and filler as single spaces.
pub fn normalize_name_ascii(s: &str) -> Option<String> {
    if !s.is_ascii() {
        return None;
    }
    let mut out = String::with_capacity(s.len());
    let mut gap = false;
    for b in s.bytes().filter(|&b| b != b'\'' && b != b'`') {
        let b = b.to_ascii_uppercase();
        if b.is_ascii_alphanumeric() {
            if gap && !out.is_empty() {
                out.push(' ');
            }
            gap = false;
            out.push(b as char);
        } else {
            gap = true;
        }
    }
    Some(out)
}

/// mrz.py's _loose: both 9303 spellings of Ä, Ö, Ü, Å in one form (E after A, O or U and
/// A after A dropped, as the regular expression sees the text), and no spaces.
pub fn loose_ascii(name: &str) -> Option<String> {
    let n = normalize_name_ascii(name)?;
    let b = n.as_bytes();
    let mut out = String::with_capacity(b.len());
    for (i, &c) in b.iter().enumerate() {
        let prev = if i > 0 { b[i - 1] } else { 0 };
        let digraph = (c == b'E' && matches!(prev, b'A' | b'O' | b'U')) || (c == b'A' && prev == b'A');
        if !digraph && c != b' ' {
            out.push(c as char);
        }
    }
    Some(out)
}

/// normalize.py's mrz_name for ASCII text: words of letters joined by '<'.
pub fn mrz_name_ascii(s: &str) -> Option<String> {
    let n = normalize_name_ascii(s)?;
    let words: Vec<&str> = n.split(|c: char| c == ' ' || c.is_ascii_digit()).filter(|w| !w.is_empty()).collect();
    Some(words.join("<"))
}

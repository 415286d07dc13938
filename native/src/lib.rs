//! screening_native: the compiled part of screening's per-scan work.
//!
//! The Python modules that call it (screening/core/codec.py, screening/matching/mrz.py,
//! checkdigits.py, documents.py, vin.py, plates.py) keep their reference
//! implementations, and tests compare the two case for case.

use std::collections::HashMap;
use std::sync::Mutex;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PySet, PyString, PyTuple};
use pyo3::{ffi, intern};

mod codes;
mod digest;
mod entries;
mod mrz;
mod scan;
mod smv;

fn repr(py: Python<'_>, ch: char) -> PyResult<String> {
    Ok(PyString::new(py, &ch.to_string()).repr()?.to_string())
}

/// ICAO 9303 check digit of an MRZ field; ValueError for a character outside A-Z0-9<.
#[pyfunction]
fn icao_check_digit(py: Python<'_>, field: &str) -> PyResult<String> {
    match mrz::icao_check_digit(field) {
        Ok(d) => Ok(char::from(d).to_string()),
        Err(ch) => Err(PyValueError::new_err(format!(
            "character not allowed in an MRZ field: {}",
            repr(py, ch)?
        ))),
    }
}

/// The check character a 17-character VIN should carry at position 9.
#[pyfunction]
fn vin_check_digit(py: Python<'_>, vin: &str) -> PyResult<String> {
    match mrz::vin_check_digit(vin) {
        Ok(c) => Ok(c.to_string()),
        Err(mrz::VinError::Length) => {
            Err(PyValueError::new_err("a VIN check digit needs 17 characters"))
        }
        Err(mrz::VinError::Character(ch)) => Err(PyValueError::new_err(format!(
            "character not allowed in a VIN: {}",
            repr(py, ch)?
        ))),
    }
}

#[pyfunction]
fn vin_check_ok(normalised: &str) -> Option<bool> {
    mrz::vin_check_ok(normalised)
}

#[pyfunction]
fn vin_correction(normalised: &str) -> Option<(String, usize)> {
    codes::vin_correction(normalised)
}

/// The fields of MrzData as a tuple, or the MrzFormatError message as a str.
#[pyfunction]
fn parse_mrz<'py>(
    py: Python<'py>,
    text: &str,
    year: i32,
    month: u32,
    day: u32,
    date: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let m = match mrz::parse_mrz(text, (year, month, day)) {
        Ok(m) => m,
        Err(message) => return Ok(PyString::new(py, &message).into_any()),
    };
    let expiry = match m.expiry {
        Some(ymd) => date.call1(ymd)?,
        None => py.None().into_bound(py),
    };
    let failed = PyTuple::new(py, m.failed_checks)?;
    let fields: [Bound<'py, PyAny>; 12] = [
        PyString::new(py, m.format).into_any(),
        PyString::new(py, &m.document_type).into_any(),
        PyString::new(py, &m.issuing_state).into_any(),
        PyString::new(py, &m.document_number).into_any(),
        PyString::new(py, &m.surname).into_any(),
        PyString::new(py, &m.given_names).into_any(),
        PyString::new(py, &m.nationality).into_any(),
        m.date_of_birth.into_pyobject(py)?.into_any(),
        m.sex.into_pyobject(py)?.into_any(),
        expiry,
        PyString::new(py, &m.optional_data).into_any(),
        failed.into_any(),
    ];
    Ok(PyTuple::new(py, fields)?.into_any())
}

/// Python's str.strip for ASCII text (it counts \x1c-\x1f as space).
fn py_strip(s: &str) -> &str {
    s.trim_matches(|c: char| matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c' | '\x1c'..='\x1f'))
}

/// An ASCII str argument: Ok(None) when None or empty (falsy), Err when the compiled
/// comparison does not decide (not a str, or not ASCII).
fn ascii_arg(v: Option<&Bound<'_, PyAny>>) -> Result<Option<String>, ()> {
    match v {
        None => Ok(None),
        Some(v) if v.is_none() => Ok(None),
        Some(v) => {
            let s: String = v.extract().map_err(|_| ())?;
            if !s.is_ascii() {
                return Err(());
            }
            Ok(if s.is_empty() { None } else { Some(s) })
        }
    }
}

/// mrz.py's _iso: a date (or datetime) as ISO text, a str stripped.
fn iso_arg(v: &Bound<'_, PyAny>, date: &Bound<'_, PyAny>) -> Result<String, ()> {
    if v.is_instance_of::<PyString>() {
        return ascii_arg(Some(v)).map(|s| py_strip(&s.unwrap_or_default()).to_owned());
    }
    if v.is_instance(date).map_err(|_| ())? {
        let text: String = v.call_method0("isoformat").and_then(|t| t.extract()).map_err(|_| ())?;
        return Ok(text);
    }
    Err(())
}

fn canonical(code: Option<&str>) -> Result<String, ()> {
    match code {
        None | Some("") => Ok(String::new()),
        Some(c) => codes::canonical_country_ascii(c).ok_or(()),
    }
}

/// The names of the fields that disagree with the MRZ (mrz.py's compare_with_fields),
/// or None when the text is not all ASCII: then the Python side, which transliterates,
/// compares.
#[pyfunction]
#[pyo3(signature = (mrz, date, number, issuing_state, surname, given_names, date_of_birth,
                    nationality, sex, expiry, document_type))]
#[allow(clippy::too_many_arguments)]
fn compare_with_fields(
    mrz: &Bound<'_, PyTuple>,
    date: &Bound<'_, PyAny>,
    number: Option<Bound<'_, PyAny>>,
    issuing_state: Option<Bound<'_, PyAny>>,
    surname: Option<Bound<'_, PyAny>>,
    given_names: Option<Bound<'_, PyAny>>,
    date_of_birth: Option<Bound<'_, PyAny>>,
    nationality: Option<Bound<'_, PyAny>>,
    sex: Option<Bound<'_, PyAny>>,
    expiry: Option<Bound<'_, PyAny>>,
    document_type: Option<Bound<'_, PyAny>>,
) -> Option<Vec<&'static str>> {
    compare(mrz, date, [number, issuing_state, surname, given_names, date_of_birth, nationality,
                        sex, expiry, document_type]).ok()
}

fn truthy(v: &Option<Bound<'_, PyAny>>) -> Result<bool, ()> {
    match v {
        None => Ok(false),
        Some(v) => v.is_truthy().map_err(|_| ()),
    }
}

fn compare(mrz: &Bound<'_, PyTuple>, date: &Bound<'_, PyAny>,
           args: [Option<Bound<'_, PyAny>>; 9]) -> Result<Vec<&'static str>, ()> {
    let [number, issuing_state, surname, given_names, date_of_birth, nationality, sex, expiry,
         document_type] = args;
    let field = |i: usize| mrz.get_item(i).map_err(|_| ());
    let text = |i: usize| -> Result<String, ()> { Ok(ascii_arg(Some(&field(i)?))?.unwrap_or_default()) };
    let mut out = Vec::new();
    if let Some(n) = ascii_arg(number.as_ref())? {
        if codes::fold_code_ascii(&n).ok_or(())? != text(3)? {
            out.push("number");
        }
    }
    if let Some(c) = ascii_arg(issuing_state.as_ref())? {
        if canonical(Some(&c))? != canonical(Some(&text(2)?))? {
            out.push("issuing_state");
        }
    }
    let (in_surname, in_given) = (text(4)?, text(5)?);
    let full = || -> Result<bool, ()> {
        let width = match text(0)?.as_str() {
            "TD1" => 30,
            "TD2" | "MRVB" => 31,
            "TD3" | "MRVA" => 39,
            _ => return Err(()),
        };
        let mut encoded = codes::mrz_name_ascii(&in_surname).ok_or(())?;
        if !in_given.is_empty() {
            encoded += "<<";
            encoded += &codes::mrz_name_ascii(&in_given).ok_or(())?;
        }
        Ok(encoded.len() >= width)
    };
    let agrees = |value: &str, in_mrz: &str, last: bool| -> Result<bool, ()> {
        let (v, m) = (codes::loose_ascii(value).ok_or(())?, codes::loose_ascii(in_mrz).ok_or(())?);
        Ok(v == m || (last && v.starts_with(&m) && full()?))
    };
    if let Some(s) = ascii_arg(surname.as_ref())? {
        if !agrees(&s, &in_surname, in_given.is_empty())? {
            out.push("surname");
        }
    }
    if let Some(g) = ascii_arg(given_names.as_ref())? {
        if !agrees(&g, &in_given, true)? {
            out.push("given_names");
        }
    }
    if truthy(&date_of_birth)? {
        let known = ascii_arg(Some(&field(7)?))?;
        if let (Some(dob), Some(known)) = (date_of_birth.as_ref(), known) {
            let given = iso_arg(dob, date)?;
            let common = given.len().min(known.len());
            if given[..common] != known[..common] {
                out.push("date_of_birth");
            }
        }
    }
    if let Some(c) = ascii_arg(nationality.as_ref())? {
        if canonical(Some(&c))? != canonical(Some(&text(6)?))? {
            out.push("nationality");
        }
    }
    if let Some(s) = ascii_arg(sex.as_ref())? {
        if let Some(known) = ascii_arg(Some(&field(8)?))? {
            if py_strip(&s).to_ascii_uppercase() != known {
                out.push("sex");
            }
        }
    }
    if truthy(&expiry)? {
        let known = field(9)?;
        if known.is_truthy().map_err(|_| ())? {
            let known: String = known.call_method0("isoformat").and_then(|t| t.extract()).map_err(|_| ())?;
            if iso_arg(expiry.as_ref().ok_or(())?, date)? != known {
                out.push("expiry");
            }
        }
    }
    if let Some(t) = ascii_arg(document_type.as_ref())? {
        let wanted = py_strip(&t).to_ascii_uppercase().replace('<', "");
        if !text(1)?.starts_with(&wanted) {
            out.push("document_type");
        }
    }
    Ok(out)
}

#[pyfunction]
fn confusable_variants(normalised: &str) -> Vec<(String, usize)> {
    codes::confusable_variants(normalised)
}

/// "NUMBER|STATE" when both are ASCII; None for the Python side to transliterate.
#[pyfunction]
fn document_field_ascii(number: &str, issuing_state: &str) -> Option<String> {
    let n = codes::fold_code_ascii(number)?;
    let c = codes::canonical_country_ascii(issuing_state)?;
    Some(format!("{n}|{c}"))
}

#[pyfunction]
fn skeleton(plate: &str) -> String {
    codes::skeleton(plate)
}

#[pyfunction]
fn plate_index_keys(normalised: &str) -> Vec<String> {
    codes::plate_index_keys(normalised)
}

#[pyfunction]
fn plate_query_keys(normalised: &str, low_confidence: bool) -> Vec<String> {
    codes::plate_query_keys(normalised, low_confidence)
}

// --- scans ------------------------------------------------------------------------------

/// Decodes raw scans into the contract's models (built as model_validate builds them:
/// the same __dict__, fields set, no extra, no private), a reason code, or None where
/// the models must decide (see scan.rs).
#[pyclass(frozen, module = "screening_native")]
struct ScanDecoder {
    traveller: Py<PyAny>,
    document: Py<PyAny>,
    holder: Py<PyAny>,
    vehicle_scan: Py<PyAny>,
    vehicle: Py<PyAny>,
    datetime: Py<PyAny>,
    date: Py<PyAny>,
    tzinfo: Py<PyAny>,
    object_new: Py<PyAny>,
    zones: Mutex<HashMap<i32, Py<PyAny>>>,
}

fn set_attr(obj: &Bound<'_, PyAny>, name: &Bound<'_, PyString>, value: &Bound<'_, PyAny>) -> PyResult<()> {
    // object.__setattr__: the models are frozen, as model_construct sets them.
    let rc = unsafe { ffi::PyObject_GenericSetAttr(obj.as_ptr(), name.as_ptr(), value.as_ptr()) };
    if rc < 0 {
        return Err(PyErr::fetch(obj.py()));
    }
    Ok(())
}

struct Fields<'py> {
    dict: Bound<'py, PyDict>,
    sent: Bound<'py, PySet>,
}

impl<'py> Fields<'py> {
    fn new(py: Python<'py>) -> PyResult<Self> {
        Ok(Fields { dict: PyDict::new(py), sent: PySet::empty(py)? })
    }

    fn put<T: IntoPyObject<'py>>(&self, name: &Bound<'py, PyString>, value: T, sent: bool) -> PyResult<()> {
        self.dict.set_item(name, value)?;
        if sent {
            self.sent.add(name)?;
        }
        Ok(())
    }

    fn opt<T: IntoPyObject<'py>>(&self, name: &Bound<'py, PyString>, o: scan::Opt<T>) -> PyResult<()> {
        self.put(name, o.value, o.sent)
    }
}

impl ScanDecoder {
    fn build<'py>(&self, py: Python<'py>, cls: &Py<PyAny>, f: Fields<'py>) -> PyResult<Bound<'py, PyAny>> {
        let obj = self.object_new.bind(py).call1((cls.bind(py),))?;
        set_attr(&obj, intern!(py, "__dict__"), f.dict.as_any())?;
        set_attr(&obj, intern!(py, "__pydantic_fields_set__"), f.sent.as_any())?;
        set_attr(&obj, intern!(py, "__pydantic_extra__"), &py.None().into_bound(py))?;
        set_attr(&obj, intern!(py, "__pydantic_private__"), &py.None().into_bound(py))?;
        Ok(obj)
    }

    fn zone<'py>(&self, py: Python<'py>, offset: i32) -> PyResult<Bound<'py, PyAny>> {
        let mut zones = self.zones.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(z) = zones.get(&offset) {
            return Ok(z.bind(py).clone());
        }
        let z = self.tzinfo.bind(py).call1((offset,))?;
        zones.insert(offset, z.clone().unbind());
        Ok(z)
    }

    fn base<'py>(&self, py: Python<'py>, b: scan::Base) -> PyResult<Fields<'py>> {
        let f = Fields::new(py)?;
        let s = &b.scanned_at;
        let when = self.datetime.bind(py).call1((
            s.year, s.month, s.day, s.hour, s.minute, s.second, s.micro, self.zone(py, s.offset)?,
        ))?;
        f.put(intern!(py, "event_id"), b.event_id, true)?;
        f.put(intern!(py, "checkpoint_id"), b.checkpoint_id, true)?;
        f.put(intern!(py, "terminal_id"), b.terminal_id, true)?;
        f.put(intern!(py, "scanned_at"), when, true)?;
        f.opt(intern!(py, "exercise"), b.exercise)?;
        Ok(f)
    }

    fn scan<'py>(&self, py: Python<'py>, s: scan::Scan) -> PyResult<Bound<'py, PyAny>> {
        match s {
            scan::Scan::Traveller { base, document, holder } => {
                let top = self.base(py, base)?;
                let d = Fields::new(py)?;
                d.opt(intern!(py, "mrz"), document.mrz)?;
                d.opt(intern!(py, "number"), document.number)?;
                d.opt(intern!(py, "issuing_state"), document.issuing_state)?;
                d.opt(intern!(py, "type"), document.doc_type)?;
                let expiry = match document.expiry.value {
                    Some(ymd) => self.date.bind(py).call1(ymd)?,
                    None => py.None().into_bound(py),
                };
                d.put(intern!(py, "expiry"), expiry, document.expiry.sent)?;
                top.put(intern!(py, "document"), self.build(py, &self.document, d)?, true)?;
                let h = Fields::new(py)?;
                let holder_sent = holder.is_some();
                match holder {
                    Some(hv) => {
                        h.opt(intern!(py, "surname"), hv.surname)?;
                        h.opt(intern!(py, "given_names"), hv.given_names)?;
                        h.opt(intern!(py, "date_of_birth"), hv.date_of_birth)?;
                        h.opt(intern!(py, "nationality"), hv.nationality)?;
                        h.opt(intern!(py, "sex"), hv.sex)?;
                    }
                    None => {
                        for name in ["surname", "given_names", "date_of_birth", "nationality", "sex"] {
                            h.put(&PyString::intern(py, name), py.None(), false)?;
                        }
                    }
                }
                top.put(intern!(py, "holder"), self.build(py, &self.holder, h)?, holder_sent)?;
                self.build(py, &self.traveller, top)
            }
            scan::Scan::Vehicle { base, vehicle, read_confidence } => {
                let top = self.base(py, base)?;
                let v = Fields::new(py)?;
                v.opt(intern!(py, "vin"), vehicle.vin)?;
                v.opt(intern!(py, "plate"), vehicle.plate)?;
                v.opt(intern!(py, "plate_country"), vehicle.plate_country)?;
                v.opt(intern!(py, "make"), vehicle.make)?;
                v.opt(intern!(py, "model"), vehicle.model)?;
                v.opt(intern!(py, "colour"), vehicle.colour)?;
                top.put(intern!(py, "vehicle"), self.build(py, &self.vehicle, v)?, true)?;
                top.opt(intern!(py, "read_confidence"), read_confidence)?;
                self.build(py, &self.vehicle_scan, top)
            }
        }
    }
}

#[pymethods]
impl ScanDecoder {
    #[new]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        traveller: Py<PyAny>,
        document: Py<PyAny>,
        holder: Py<PyAny>,
        vehicle_scan: Py<PyAny>,
        vehicle: Py<PyAny>,
        datetime: Py<PyAny>,
        date: Py<PyAny>,
        tzinfo: Py<PyAny>,
    ) -> PyResult<Self> {
        let object_new = py.import("builtins")?.getattr("object")?.getattr("__new__")?.unbind();
        Ok(ScanDecoder {
            traveller, document, holder, vehicle_scan, vehicle, datetime, date, tzinfo, object_new,
            zones: Mutex::new(HashMap::new()),
        })
    }

    /// One result per raw scan (bytes or None): the scan model, a reason code (str), or
    /// None (the models decide). `kinds` is one kind ("traveller" or "vehicle") for
    /// every scan, or a list of kinds beside the scans.
    fn decode<'py>(
        &self,
        py: Python<'py>,
        kinds: &Bound<'py, PyAny>,
        raws: &Bound<'py, PyList>,
        max_bytes: usize,
    ) -> PyResult<Bound<'py, PyList>> {
        let traveller = |k: &str| match k {
            "traveller" => Some(true),
            "vehicle" => Some(false),
            _ => None,
        };
        let one = match kinds.cast::<PyString>() {
            Ok(k) => Some(traveller(&k.to_cow()?)),
            Err(_) => None,
        };
        let each = if one.is_none() { Some(kinds.cast::<PyList>()?) } else { None };
        if let Some(each) = each {
            if each.len() != raws.len() {
                return Err(PyValueError::new_err("one kind a scan, or one kind for all"));
            }
        }
        let out = PyList::empty(py);
        for (i, item) in raws.iter().enumerate() {
            let kind = match (one, each) {
                (Some(k), _) => k,
                (None, Some(list)) => traveller(&list.get_item(i)?.cast::<PyString>()?.to_cow()?),
                (None, None) => None,
            };
            let outcome = match kind {
                None => scan::Outcome::Defer,
                Some(t) if item.is_none() => scan::decode(t, None, max_bytes),
                Some(t) => match item.cast::<PyBytes>() {
                    Ok(b) => scan::decode(t, Some(b.as_bytes()), max_bytes),
                    Err(_) => scan::Outcome::Defer,
                },
            };
            match outcome {
                scan::Outcome::Valid(s) => out.append(self.scan(py, s)?)?,
                scan::Outcome::Refused(code) => out.append(code)?,
                scan::Outcome::Defer => out.append(py.None())?,
            }
        }
        Ok(out)
    }
}

/// Stolen-vehicle lines of a bulk-load block into their compact tables' new entries
/// (native/src/smv.rs; screening/watchlists/smv/fast.py's SmvBlock is the reference).
/// Records are kept by id, the later line winning, until finish().
#[pyclass(module = "screening_native")]
struct SmvPacker {
    tables: smv::Tables,
    shape: smv::Shape,
    records: Vec<(u64, Option<smv::Vehicle>)>,
    live: HashMap<String, (u64, usize)>,
}

impl SmvPacker {
    fn add(&mut self, seq: u64, v: smv::Vehicle) {
        if let Some(&(before, at)) = self.live.get(&v.id) {
            if before > seq {
                return; // an earlier line, met after the later one
            }
            self.records[at].1 = None;
        }
        self.live.insert(v.id.clone(), (seq, self.records.len()));
        self.records.push((seq, Some(v)));
    }
}

#[pymethods]
impl SmvPacker {
    #[new]
    #[allow(clippy::too_many_arguments)]
    fn new(countries: Vec<String>, makes: Vec<String>, models: Vec<String>, colours: Vec<String>,
           actions: Vec<String>, buckets: (u32, u32, u32), parts: usize, slots: u32) -> PyResult<Self> {
        if parts == 0 || slots == 0 || slots > 256 || buckets.0 == 0 || buckets.1 == 0 || buckets.2 == 0 {
            return Err(PyValueError::new_err("buckets, parts and slots must be positive"));
        }
        if [&countries, &makes, &models, &colours, &actions].iter().any(|t| t.len() > 0x80) {
            return Err(PyValueError::new_err("a code table holds at most 128 values"));
        }
        Ok(SmvPacker {
            tables: smv::Tables::new(&countries, &makes, &models, &colours, &actions),
            shape: smv::Shape { buckets, parts, slots },
            records: Vec::new(),
            live: HashMap::new(),
        })
    }

    /// The lines of `data` (split at newlines, numbered from `first`): those in the
    /// plain SMV shape are kept; the others come back as (number, line), blank ones
    /// left out, for the Python path.
    fn feed<'py>(&mut self, py: Python<'py>, data: &[u8], first: u64) -> PyResult<Bound<'py, PyList>> {
        // Read without the GIL: a loader parsing in a thread of its own writes meanwhile.
        let rest: Vec<(u64, usize, usize)> = py.detach(|| {
            let mut rest = Vec::new();
            let (mut n, mut start) = (first, 0usize);
            let mut lines = data.split(|&b| b == b'\n').peekable();
            while let Some(raw) = lines.next() {
                if lines.peek().is_none() && raw.is_empty() {
                    break; // after the last newline
                }
                let line = smv::strip(raw);
                if !line.is_empty() {
                    match self.tables.vehicle(line) {
                        Some(v) => self.add(n, v),
                        None => rest.push((n, start, start + raw.len())),
                    }
                }
                start += raw.len() + 1;
                n += 1;
            }
            rest
        });
        let items = rest
            .into_iter()
            .map(|(n, a, b)| (n, PyBytes::new(py, &data[a..b])))
            .collect::<Vec<_>>();
        PyList::new(py, items)
    }

    /// A record the Python path read (line number `seq`): its id, body, normalised VIN
    /// ("" for none) and plate keys.
    fn put(&mut self, seq: u64, id: String, body: &[u8], vin_key: String, plate_keys: Vec<String>) {
        let vin_key = if vin_key.is_empty() { None } else { Some(vin_key) };
        self.add(seq, smv::Vehicle { id, body: body.to_vec(), vin_key, plate_keys });
    }

    /// (records, (record, VIN index, plate index) partitions) of what was kept, in the
    /// order of their lines; the packer is empty again after.
    fn finish<'py>(&mut self, py: Python<'py>) -> PyResult<(usize, Bound<'py, PyTuple>)> {
        let mut kept: Vec<(u64, smv::Vehicle)> =
            self.records.drain(..).filter_map(|(seq, v)| v.map(|v| (seq, v))).collect();
        self.live.clear();
        let shape = &self.shape;
        let made = py.detach(|| {
            kept.sort_by_key(|(seq, _)| *seq);
            smv::pack_vehicles(kept.iter().map(|(_, v)| v), shape)
        });
        let tables: Vec<Bound<'py, PyList>> = made
            .iter()
            .map(|parts| PyList::new(py, parts.iter().map(|p| PyBytes::new(py, p))))
            .collect::<PyResult<_>>()?;
        Ok((kept.len(), PyTuple::new(py, tables)?))
    }
}

fn grouped<'py>(py: Python<'py>, groups: Vec<(u32, usize, Vec<u8>)>) -> PyResult<Bound<'py, PyList>> {
    let items = groups
        .iter()
        .map(|(b, n, body)| PyTuple::new(py, [b.into_pyobject(py)?.into_any(), n.into_pyobject(py)?.into_any(),
                                              PyBytes::new(py, body).into_any()]))
        .collect::<PyResult<Vec<_>>>()?;
    PyList::new(py, items)
}

/// blocks.group_entries: a partition's entries grouped by bucket, (bucket, pairs,
/// body) each; `packed` for packed index entries (joined per field). None when a chunk
/// is cut short.
#[pyfunction]
fn group_entries<'py>(py: Python<'py>, chunks: Vec<Bound<'py, PyBytes>>, packed: bool) -> PyResult<Option<Bound<'py, PyList>>> {
    let it = chunks.iter().map(|c| c.as_bytes());
    let groups = if packed {
        if chunks.iter().any(|c| c.as_bytes().len() % 10 != 0) {
            return Ok(None);
        }
        Some(smv::group_packed(it))
    } else {
        smv::group_entries(it)
    };
    groups.map(|g| grouped(py, g)).transpose()
}

/// New records' write ops of an entries-layout bulk load gathered by bucket and field
/// (native/src/entries.rs; bulk_entries.py's _PyEntryGroups is the reference).
#[pyclass(module = "screening_native")]
#[derive(Default)]
struct EntryGroups {
    groups: entries::Groups,
}

#[pymethods]
impl EntryGroups {
    #[new]
    fn new() -> Self {
        Self::default()
    }

    /// Write ops packed as the write script takes them (p and s ops only).
    fn add(&mut self, packed: &[u8]) -> PyResult<()> {
        self.groups.add(packed).map_err(PyValueError::new_err)
    }

    /// Ops gathered since the last take.
    #[getter]
    fn ops(&self) -> usize {
        self.groups.len()
    }

    /// (key, pairs, body) of each bucket gathered; gathering starts again.
    fn take<'py>(&mut self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let items = self
            .groups
            .take()
            .into_iter()
            .map(|(key, n, body)| {
                PyTuple::new(py, [PyBytes::new(py, &key).into_any(), n.into_pyobject(py)?.into_any(),
                                  PyBytes::new(py, &body).into_any()])
            })
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, items)
    }
}

/// NoticeLayout's name entries' puts, packed as batch.pack_ops packs them: for each name
/// key, a p op of its bucket key (`base` + the bucket) and field (notices/layout.py's
/// name_slot: blake2b of the key, 8 bytes; the field its first 4, NUL bytes made 1, the
/// bucket the last 4 modulo `buckets`), with the record's packed id and entry value.
#[pyfunction]
fn name_puts<'py>(py: Python<'py>, keys: Vec<String>, buckets: u64, base: &str, rid: &[u8],
                  value: &[u8]) -> PyResult<Bound<'py, PyBytes>> {
    if buckets == 0 {
        return Err(PyValueError::new_err("buckets must be positive"));
    }
    let mut out = Vec::with_capacity(keys.len() * (base.len() + rid.len() + value.len() + 16));
    for (i, key) in keys.iter().enumerate() {
        let d = smv::blake2b::<8>(key.as_bytes());
        let b = u64::from(u32::from_be_bytes([d[4], d[5], d[6], d[7]])) % buckets;
        if i > 0 {
            out.push(0);
        }
        out.extend_from_slice(b"p\0");
        out.extend_from_slice(base.as_bytes());
        out.extend_from_slice(b.to_string().as_bytes());
        out.push(0);
        out.extend(d[..4].iter().map(|&x| if x == 0 { 1 } else { x }));
        out.push(0);
        out.extend_from_slice(rid);
        out.push(0);
        out.extend_from_slice(value);
    }
    Ok(PyBytes::new(py, &out))
}

#[pymodule]
fn screening_native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(icao_check_digit, m)?)?;
    m.add_function(wrap_pyfunction!(vin_check_digit, m)?)?;
    m.add_function(wrap_pyfunction!(vin_check_ok, m)?)?;
    m.add_function(wrap_pyfunction!(vin_correction, m)?)?;
    m.add_function(wrap_pyfunction!(parse_mrz, m)?)?;
    m.add_function(wrap_pyfunction!(compare_with_fields, m)?)?;
    m.add_function(wrap_pyfunction!(confusable_variants, m)?)?;
    m.add_function(wrap_pyfunction!(document_field_ascii, m)?)?;
    m.add_function(wrap_pyfunction!(skeleton, m)?)?;
    m.add_function(wrap_pyfunction!(plate_index_keys, m)?)?;
    m.add_function(wrap_pyfunction!(plate_query_keys, m)?)?;
    m.add_class::<ScanDecoder>()?;
    m.add_class::<digest::AuditDigester>()?;
    m.add_class::<SmvPacker>()?;
    m.add_class::<EntryGroups>()?;
    m.add_function(wrap_pyfunction!(group_entries, m)?)?;
    m.add_function(wrap_pyfunction!(name_puts, m)?)?;
    Ok(())
}

//! A package: the folder a МЭДО gateway delivers or collects, holding
//! `envelope.ini`, the XML message and the files it describes.
//!
//! Reading trusts nothing in it: every name the envelope or the message
//! gives must be a bare file name (no `/`, `\`, `:` or `..`), must be a
//! regular file of the folder (a link could reach anywhere on the disk),
//! and counts against the limits before a byte of it is read.
//!
//! Writing is atomic: the files go into a temporary sibling folder
//! (`.<name>.partial-<random>`), each one flushed to the disk, **the
//! envelope last**, and the folder is then renamed into place. A gateway
//! that watches the outgoing folder sees either no package or a whole one;
//! one that looks into the temporary folder (it should skip names starting
//! with a dot) finds no envelope until every other file is complete.

use std::collections::HashSet;
use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use super::envelope::fits_1251;
use super::{
    Body, Communication, Envelope, Fault, Limits, NAMESPACE, Refusal, RefusalReason, parse,
};

/// The names a package's envelope may have: `envelope.ini`, and the
/// `envelope.ltr` of older gateways (letters of the transport).
const ENVELOPE_NAMES: [&str; 2] = ["envelope.ini", "envelope.ltr"];
/// The name veche writes.
const ENVELOPE: &str = "envelope.ini";
/// How much of an XML file is looked at to tell the message from other XML.
const SNIFF: u64 = 4096;

/// A package that was read: its envelope, its message and its other files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    pub dir: PathBuf,
    pub envelope: Envelope,
    /// The file of the XML message.
    pub xml_name: String,
    pub communication: Communication,
    /// Every other file the envelope or the message names, checked to be
    /// in the folder, in the envelope's order.
    pub files: Vec<PackageFile>,
}

/// A file of a package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageFile {
    pub name: String,
    pub path: PathBuf,
    pub size: u64,
}

impl Package {
    /// A file of the package by its name (as the message's `localName`
    /// gives it).
    pub fn file(&self, name: &str) -> Option<&PackageFile> {
        self.files.iter().find(|f| f.name == name)
    }
}

/// Reads a package folder: the envelope (UTF-8 or windows-1251), the XML
/// message it names, and the list of the other files, each checked.
pub fn read_package(dir: &Path, limits: &Limits) -> Result<Package, Refusal> {
    let envelope_path = find_envelope(dir, limits)?;
    let bytes = read_limited(
        &envelope_path,
        limits.max_envelope_bytes as u64,
        "the envelope",
    )?;
    let envelope = Envelope::parse(&bytes)?;
    if envelope.files.len() > limits.max_files {
        return Err(Refusal::of(
            Fault::TooLarge,
            format!(
                "the envelope names {} files, more than the {} a package may have",
                envelope.files.len(),
                limits.max_files
            ),
        ));
    }
    let mut seen = HashSet::new();
    let mut files = Vec::new();
    let mut total = 0u64;
    for name in &envelope.files {
        check_name(name).map_err(|detail| Refusal::of(Fault::FileName, detail))?;
        if !seen.insert(name.to_lowercase()) {
            return Err(Refusal::of(
                Fault::Envelope,
                format!("the envelope names the file {name:?} twice"),
            ));
        }
        files.push(package_file(dir, name, limits, &mut total)?);
    }
    let xml_name = message_file(&files)?;
    let xml_file = files
        .iter()
        .position(|f| f.name == xml_name)
        .map(|at| files.remove(at))
        .ok_or_else(|| Refusal::of(Fault::Envelope, "the envelope names no XML message"))?;
    let xml = read_limited(&xml_file.path, limits.max_bytes as u64, "the message")?;
    let communication = parse(&xml, limits)?;
    if let Body::Document(document) = &communication.body {
        if document.files.is_empty() {
            return Err(Refusal::of(
                Fault::MissingFile,
                "the document lists no file: its text is missing",
            )
            .because(RefusalReason::TextMissing));
        }
        for file in &document.files {
            let name = &file.local_name;
            check_name(name).map_err(|detail| Refusal::of(Fault::FileName, detail))?;
            if seen.insert(name.to_lowercase()) {
                files.push(package_file(dir, name, limits, &mut total)?);
            }
        }
    }
    Ok(Package {
        dir: dir.to_path_buf(),
        envelope,
        xml_name,
        communication,
        files,
    })
}

/// The envelope's path, from a bounded listing of the folder.
fn find_envelope(dir: &Path, limits: &Limits) -> Result<PathBuf, Refusal> {
    let entries = fs::read_dir(dir).map_err(|e| io_refusal(dir, &e))?;
    // A folder of a million files is not a package: the listing stops
    // well before it would cost anything.
    let most = limits.max_files.saturating_mul(2).saturating_add(16);
    for (seen, entry) in entries.enumerate() {
        if seen >= most {
            return Err(Refusal::of(
                Fault::TooLarge,
                format!("the package folder holds more than {most} entries"),
            ));
        }
        let entry = entry.map_err(|e| io_refusal(dir, &e))?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if ENVELOPE_NAMES.iter().any(|e| name.eq_ignore_ascii_case(e)) {
            return Ok(entry.path());
        }
    }
    Err(Refusal::of(
        Fault::Envelope,
        "the package has no envelope.ini",
    ))
}

/// A named file of the package, checked: present, regular, within limits.
fn package_file(
    dir: &Path,
    name: &str,
    limits: &Limits,
    total: &mut u64,
) -> Result<PackageFile, Refusal> {
    let path = dir.join(name);
    let meta = match fs::symlink_metadata(&path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(Refusal::of(
                Fault::MissingFile,
                format!("the file {name:?} is named but not in the package"),
            ));
        }
        Err(e) => return Err(io_refusal(&path, &e)),
    };
    if meta.file_type().is_symlink() {
        return Err(Refusal::of(
            Fault::FileName,
            format!("{name:?} is a link, not a file of the package"),
        ));
    }
    if !meta.is_file() {
        return Err(Refusal::of(
            Fault::MissingFile,
            format!("{name:?} is not a file"),
        ));
    }
    let size = meta.len();
    if size > limits.max_file_bytes {
        return Err(Refusal::of(
            Fault::TooLarge,
            format!(
                "the file {name:?} has {size} bytes, more than the {} a file may have",
                limits.max_file_bytes
            ),
        ));
    }
    *total = total.saturating_add(size);
    if *total > limits.max_package_bytes {
        return Err(Refusal::of(
            Fault::TooLarge,
            format!(
                "the package's files have more than the {} bytes a package may have",
                limits.max_package_bytes
            ),
        ));
    }
    Ok(PackageFile {
        name: name.to_owned(),
        path,
        size,
    })
}

/// Which of the named XML files is the message: the first that mentions
/// the IEDMS namespace near its start, else the only XML file (whose parse
/// then says what is wrong with it).
fn message_file(files: &[PackageFile]) -> Result<String, Refusal> {
    let xml: Vec<&PackageFile> = files
        .iter()
        .filter(|f| f.name.to_ascii_lowercase().ends_with(".xml"))
        .collect();
    for file in &xml {
        let mut head = Vec::new();
        let opened = fs::File::open(&file.path).map_err(|e| io_refusal(&file.path, &e))?;
        opened
            .take(SNIFF)
            .read_to_end(&mut head)
            .map_err(|e| io_refusal(&file.path, &e))?;
        if head
            .windows(NAMESPACE.len())
            .any(|w| w == NAMESPACE.as_bytes())
        {
            return Ok(file.name.clone());
        }
    }
    match xml.as_slice() {
        [only] => Ok(only.name.clone()),
        [] => Err(Refusal::of(
            Fault::Envelope,
            "the envelope names no XML file: the package has no message",
        )),
        _ => Err(Refusal::of(
            Fault::NotIedms,
            "none of the package's XML files is an IEDMS message",
        )),
    }
}

/// A file's bytes, refused when larger than `most`.
fn read_limited(path: &Path, most: u64, what: &str) -> Result<Vec<u8>, Refusal> {
    let file = fs::File::open(path).map_err(|e| io_refusal(path, &e))?;
    let mut bytes = Vec::new();
    file.take(most.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| io_refusal(path, &e))?;
    if bytes.len() as u64 > most {
        return Err(Refusal::of(
            Fault::TooLarge,
            format!("{what} is larger than the {most} bytes it may have"),
        ));
    }
    Ok(bytes)
}

fn io_refusal(path: &Path, e: &io::Error) -> Refusal {
    Refusal::of(
        Fault::Io,
        format!("{} could not be read: {e}", path.display()),
    )
}

/// That a name is a bare file name: no path in it, nothing that a file
/// system would take for one, no control characters.
pub(super) fn check_name(name: &str) -> Result<(), String> {
    let bad = |why: &str| Err(format!("the file name {name:?} {why}"));
    if name.is_empty() || name.len() > 255 {
        return bad("is empty or longer than 255 bytes");
    }
    if name == "." || name == ".." {
        return bad("is not a file name");
    }
    if name.contains(['/', '\\']) {
        return bad("is a path: a file of a package has a bare name");
    }
    if name.contains(':') {
        return bad("has a colon (a drive letter or a stream)");
    }
    if name.chars().any(char::is_control) {
        return bad("has control characters");
    }
    if name.ends_with([' ', '.']) || name.starts_with(' ') {
        return bad("starts or ends with a space or a dot, which Windows gateways drop");
    }
    Ok(())
}

/// Writes a package into `dir`, which must not exist yet: the XML message
/// under `xml_name`, the files, and the envelope naming them all (its
/// `[ФАЙЛЫ]` is made from these names, the XML first). Atomic: see the
/// module's comment. On failure nothing is left behind.
pub fn write_package(
    dir: &Path,
    envelope: &Envelope,
    xml_name: &str,
    xml: &[u8],
    files: &[(&str, &[u8])],
) -> io::Result<()> {
    let invalid = |detail: String| io::Error::new(io::ErrorKind::InvalidInput, detail);
    let mut names = vec![xml_name];
    names.extend(files.iter().map(|(name, _)| *name));
    let mut seen = HashSet::new();
    for name in &names {
        check_name(name).map_err(invalid)?;
        if !fits_1251(name) {
            return Err(invalid(format!(
                "the file name {name:?} cannot be written in windows-1251, which the envelope is in"
            )));
        }
        let lower = name.to_lowercase();
        if ENVELOPE_NAMES.contains(&lower.as_str()) || !seen.insert(lower) {
            return Err(invalid(format!(
                "the file name {name:?} is the envelope's or given twice"
            )));
        }
    }
    let (Some(parent), Some(final_name)) = (dir.parent(), dir.file_name()) else {
        return Err(invalid(format!(
            "{} is not a folder to create",
            dir.display()
        )));
    };
    // A relative name without a folder ("out-1") lives in the current one.
    let parent = if parent.as_os_str().is_empty() {
        Path::new(".")
    } else {
        parent
    };
    if fs::symlink_metadata(dir).is_ok() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("{} exists already", dir.display()),
        ));
    }
    let temp = parent.join(format!(
        ".{}.partial-{}",
        final_name.to_string_lossy(),
        uuid::Uuid::new_v4().simple()
    ));
    fs::create_dir(&temp)?;
    let written = fill(&temp, envelope, &names, xml, files).and_then(|()| {
        fs::rename(&temp, dir)?;
        sync_dir(parent)
    });
    if written.is_err() {
        let _ = fs::remove_dir_all(&temp);
    }
    written
}

/// The temporary folder's content: the message, the files, the envelope.
fn fill(
    temp: &Path,
    envelope: &Envelope,
    names: &[&str],
    xml: &[u8],
    files: &[(&str, &[u8])],
) -> io::Result<()> {
    let mut contents = vec![xml];
    contents.extend(files.iter().map(|(_, bytes)| *bytes));
    for (name, bytes) in names.iter().zip(contents) {
        write_synced(&temp.join(name), bytes)?;
    }
    write_synced(&temp.join(ENVELOPE), &envelope.to_bytes(names))?;
    sync_dir(temp)
}

fn write_synced(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = fs::File::create_new(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Flushes a folder's entries (the names in it) to the disk, so a rename
/// survives a crash. Folders cannot be opened this way on Windows, where
/// the rename is durable enough, so there it does nothing.
fn sync_dir(dir: &Path) -> io::Result<()> {
    if cfg!(unix) {
        fs::File::open(dir)?.sync_all()
    } else {
        Ok(())
    }
}

/// Whether a package folder may be read now: its envelope is there, and
/// neither the folder nor any file in it has changed for `min_age` (their
/// sizes and times the same in two listings, the newest older than
/// `min_age`). For gateways that do not write packages atomically; a
/// folder whose name starts with a dot is a writer's temporary folder
/// (veche's own included) and is never ready.
pub fn is_ready(dir: &Path, min_age: Duration) -> bool {
    let hidden = dir
        .file_name()
        .is_none_or(|name| name.to_string_lossy().starts_with('.'));
    if hidden {
        return false;
    }
    let Some(first) = listing(dir) else {
        return false;
    };
    let has_envelope = first
        .iter()
        .any(|(name, _, _)| ENVELOPE_NAMES.iter().any(|e| name.eq_ignore_ascii_case(e)));
    let Ok(now) = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH) else {
        return false;
    };
    let settled = first
        .iter()
        .all(|(_, _, modified)| now.saturating_sub(*modified) >= min_age);
    has_envelope && settled && listing(dir).is_some_and(|second| second == first)
}

/// `(name, size, modified)` of the folder itself (an empty name) and of
/// each entry, sorted; `None` on any error or past a thousand entries.
fn listing(dir: &Path) -> Option<Vec<(String, u64, Duration)>> {
    let stamp = |meta: &fs::Metadata| {
        meta.modified()
            .ok()?
            .duration_since(SystemTime::UNIX_EPOCH)
            .ok()
    };
    let meta = fs::metadata(dir).ok()?;
    let mut out = vec![(String::new(), 0, stamp(&meta)?)];
    for (seen, entry) in fs::read_dir(dir).ok()?.enumerate() {
        if seen >= 1000 {
            return None;
        }
        let entry = entry.ok()?;
        let meta = entry.metadata().ok()?;
        out.push((
            entry.file_name().to_string_lossy().into_owned(),
            meta.len(),
            stamp(&meta)?,
        ));
    }
    out.sort();
    Some(out)
}

//! Opening an upload safely. Both accepted forms are zip archives (an XLSX workbook is one), so
//! every upload is checked the same way before anything is decompressed for use, by ingest's
//! [`archive`] checks: entry names (no absolute paths, `..`, backslashes, drive letters, NUL or
//! symbolic links), the number of entries, the declared uncompressed sizes (total limit, ratio
//! limit); the `zip` crate then gives no more bytes from an entry than it declared.

use std::io::{Read, Seek};
use std::path::Path;

use csae_ingest::read::archive::{self, ArchiveLimits};
use csae_model::Table;

/// What an upload holds.
pub enum Unpacked {
    /// An XLSX workbook: the upload itself, whose entries were checked.
    Xlsx,
    /// The four CSV files in `Table::ALL` order, and the folder they were in, if any.
    Csv { files: [Vec<u8>; 4], folder: Option<String> },
}

pub use archive::Refused;

fn refuse(message: impl Into<String>) -> Refused {
    Refused { too_large: false, message: message.into() }
}

const EXPECTED: &str = "send the return's XLSX workbook, or a zip holding crimes.csv, victims.csv, suspects.csv and relationships.csv";

/// Opens the upload at `path` (already size-limited on receipt).
pub fn unpack(path: &Path, max_uncompressed: u64) -> Result<Unpacked, Refused> {
    let mut file = std::fs::File::open(path).map_err(|e| refuse(format!("the upload cannot be read back ({e})")))?;
    let mut magic = [0u8; 4];
    if file.read_exact(&mut magic).is_err() || magic != *b"PK\x03\x04" {
        return Err(refuse(format!("the upload is neither an XLSX workbook nor a zip file; {EXPECTED}")));
    }
    file.rewind().map_err(|e| refuse(format!("the upload cannot be read back ({e})")))?;
    let (mut zip, entries) = archive::open(std::io::BufReader::new(file), "the upload", &ArchiveLimits::new(max_uncompressed)).map_err(|r| {
        if r.too_large { r } else { refuse(format!("{}; {EXPECTED}", r.message)) }
    })?;

    // The workbook reader checks the archive again and reads it part by part.
    if entries.iter().any(|e| e.name == "[Content_Types].xml") && entries.iter().any(|e| e.name.starts_with("xl/")) {
        return Ok(Unpacked::Xlsx);
    }

    let mut files: [Option<Vec<u8>>; 4] = Default::default();
    // The folder of the first file; every other file must be in the same one.
    let mut folder: Option<Option<String>> = None;
    for e in &entries {
        let name = &e.name;
        // Archivers' side files are not part of the return.
        if name.starts_with("__MACOSX/") || name.ends_with(".DS_Store") {
            continue;
        }
        let shown = csae_model::text::quoted(name);
        let (dir, base) = match name.rsplit_once('/') {
            Some((d, b)) => (Some(d.to_string()), b),
            None => (None, name.as_str()),
        };
        let Some(t) = Table::ALL.into_iter().find(|t| base.eq_ignore_ascii_case(&format!("{}.csv", t.name()))) else {
            return Err(refuse(format!("the upload holds {shown}, which is not one of the four return files; {EXPECTED}")));
        };
        if dir.as_deref().is_some_and(|d| d.contains('/')) {
            return Err(refuse(format!("{shown} is nested too deep; put the four CSV files at the top of the zip or in one folder")));
        }
        match &folder {
            Some(f) if *f != dir => return Err(refuse("the CSV files inside the upload are in different folders; put all four in one place")),
            Some(_) => {}
            None => folder = Some(dir),
        }
        if files[t as usize].is_some() {
            return Err(refuse(format!("the upload holds {}.csv twice; keep one of each file", t.name())));
        }
        files[t as usize] = Some(archive::read_entry(&mut zip, e, "the upload")?);
    }
    if let Some(t) = Table::ALL.into_iter().find(|t| files[*t as usize].is_none()) {
        return Err(refuse(format!("the zip has no {}.csv; {EXPECTED}", t.name())));
    }
    let files = files.map(|f| f.expect("all four were checked"));
    Ok(Unpacked::Csv { files, folder: folder.flatten() })
}

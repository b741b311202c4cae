//! Opening an upload safely. Both accepted forms are zip archives (an XLSX workbook is one),
//! so every upload is checked the same way before anything is decompressed for use:
//! entry names (no absolute paths, `..`, backslashes, drive letters, NUL or symbolic links),
//! the number of entries, the declared uncompressed sizes (total limit, ratio limit) and then
//! the actual sizes while decompressing (a lying header cannot make more come out than declared).

use std::io::{Read, Seek};
use std::path::Path;

use csae_model::Table;

/// The limits an upload is opened with.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_uncompressed: u64,
    pub max_entries: usize,
    /// Largest uncompressed/compressed ratio of one entry (above: a zip bomb).
    pub max_ratio: u64,
}

impl Limits {
    pub fn new(max_uncompressed: u64) -> Limits {
        Limits { max_uncompressed, max_entries: 1000, max_ratio: 200 }
    }
}

/// What an upload holds.
pub enum Unpacked {
    /// An XLSX workbook (its bytes, checked), and the force id its file name gives, if any.
    Xlsx(Vec<u8>),
    /// The four CSV files in `Table::ALL` order, and the folder they were in, if any.
    Csv { files: [Vec<u8>; 4], folder: Option<String> },
}

/// Why an upload cannot be opened; `too_large` for 413, else 400.
#[derive(Debug)]
pub struct Refused {
    pub too_large: bool,
    pub message: String,
}

fn refuse(message: impl Into<String>) -> Refused {
    Refused { too_large: false, message: message.into() }
}

const EXPECTED: &str = "send the return's XLSX workbook, or a zip holding crimes.csv, victims.csv, suspects.csv and relationships.csv";

/// A name is safe when it is relative, has no `..`, `\`, `:` or NUL, and is not a link.
fn safe_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('/')
        && !name.contains('\\')
        && !name.contains(':')
        && !name.contains('\0')
        && name.split('/').all(|part| part != ".." && part != ".")
}

/// Decompresses entry `i`, refusing more bytes than it declared.
fn read_entry<R: Read + Seek>(zip: &mut zip::ZipArchive<R>, i: usize, declared: u64, name: &str) -> Result<Vec<u8>, Refused> {
    let f = zip.by_index(i).map_err(|e| refuse(format!("{name} inside the upload cannot be read ({e}); {EXPECTED}")))?;
    let mut out = Vec::with_capacity(declared.min(64 * 1024 * 1024) as usize);
    f.take(declared + 1)
        .read_to_end(&mut out)
        .map_err(|e| refuse(format!("{name} inside the upload is damaged ({e}); make the file again and upload it")))?;
    if out.len() as u64 != declared {
        return Err(refuse(format!("{name} inside the upload is not the size its header declares; the archive is damaged or crafted, so it is refused")));
    }
    Ok(out)
}

/// Opens the upload at `path` (already size-limited on receipt).
pub fn unpack(path: &Path, limits: &Limits) -> Result<Unpacked, Refused> {
    let mut file = std::fs::File::open(path).map_err(|e| refuse(format!("the upload cannot be read back ({e})")))?;
    let mut magic = [0u8; 4];
    if file.read_exact(&mut magic).is_err() || magic != *b"PK\x03\x04" {
        return Err(refuse(format!("the upload is neither an XLSX workbook nor a zip file; {EXPECTED}")));
    }
    file.rewind().map_err(|e| refuse(format!("the upload cannot be read back ({e})")))?;
    let mut zip = zip::ZipArchive::new(std::io::BufReader::new(file)).map_err(|e| refuse(format!("the upload is a damaged zip file ({e}); {EXPECTED}")))?;
    if zip.len() > limits.max_entries {
        return Err(refuse(format!("the upload holds {} files, more than the {} allowed; {EXPECTED}", zip.len(), limits.max_entries)));
    }

    // First pass: names and declared sizes only, nothing decompressed.
    let mut entries = Vec::with_capacity(zip.len());
    let mut total = 0u64;
    for i in 0..zip.len() {
        let f = zip.by_index_raw(i).map_err(|e| refuse(format!("the upload is a damaged zip file ({e}); {EXPECTED}")))?;
        let name = f.name().map_err(|_| refuse("a file name inside the upload is not readable text; the archive is refused"))?.to_string();
        if !safe_name(&name) || f.enclosed_name().is_none() {
            return Err(refuse(format!("the upload holds a file named {name:?}, which points outside the archive; such archives are refused")));
        }
        if f.is_symlink() {
            return Err(refuse(format!("the upload holds a symbolic link ({name}); such archives are refused")));
        }
        if f.encrypted() {
            return Err(refuse(format!("{name} inside the upload is encrypted; upload it without a password")));
        }
        if f.is_dir() {
            continue;
        }
        let (size, packed) = (f.size(), f.compressed_size());
        if size > 1024 * 1024 && size / packed.max(1) > limits.max_ratio {
            return Err(Refused {
                too_large: true,
                message: format!("{name} inside the upload expands {}-fold, which only a zip bomb does; the upload is refused", size / packed.max(1)),
            });
        }
        total = total.saturating_add(size);
        if total > limits.max_uncompressed {
            return Err(Refused {
                too_large: true,
                message: format!("the files inside the upload add up to more than {} MB uncompressed, the limit; check it is the right file", limits.max_uncompressed / (1024 * 1024)),
            });
        }
        entries.push((i, name, size));
    }

    let is_xlsx = entries.iter().any(|(_, n, _)| n == "[Content_Types].xml") && entries.iter().any(|(_, n, _)| n.starts_with("xl/"));
    if is_xlsx {
        // Decompress every part once, bounded, so calamine then reads only parts proven honest.
        for (i, name, size) in &entries {
            read_entry(&mut zip, *i, *size, name)?;
        }
        drop(zip);
        let bytes = std::fs::read(path).map_err(|e| refuse(format!("the upload cannot be read back ({e})")))?;
        return Ok(Unpacked::Xlsx(bytes));
    }

    let mut files: [Option<Vec<u8>>; 4] = Default::default();
    // The folder of the first file; every other file must be in the same one.
    let mut folder: Option<Option<String>> = None;
    for (i, name, size) in &entries {
        // Archivers' side files are not part of the return.
        if name.starts_with("__MACOSX/") || name.ends_with(".DS_Store") {
            continue;
        }
        let (dir, base) = match name.rsplit_once('/') {
            Some((d, b)) => (Some(d.to_string()), b),
            None => (None, name.as_str()),
        };
        let Some(t) = Table::ALL.into_iter().find(|t| base.eq_ignore_ascii_case(&format!("{}.csv", t.name()))) else {
            return Err(refuse(format!("the upload holds {name}, which is not one of the four return files; {EXPECTED}")));
        };
        if dir.as_deref().is_some_and(|d| d.contains('/')) {
            return Err(refuse(format!("{name} is nested too deep; put the four CSV files at the top of the zip or in one folder")));
        }
        match &folder {
            Some(f) if *f != dir => return Err(refuse("the CSV files inside the upload are in different folders; put all four in one place")),
            Some(_) => {}
            None => folder = Some(dir),
        }
        if files[t as usize].is_some() {
            return Err(refuse(format!("the upload holds {}.csv twice; keep one of each file", t.name())));
        }
        files[t as usize] = Some(read_entry(&mut zip, *i, *size, name)?);
    }
    if let Some(t) = Table::ALL.into_iter().find(|t| files[*t as usize].is_none()) {
        return Err(refuse(format!("the zip has no {}.csv; {EXPECTED}", t.name())));
    }
    let files = files.map(|f| f.expect("all four were checked"));
    Ok(Unpacked::Csv { files, folder: folder.flatten() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_escape_are_unsafe() {
        for bad in ["../crimes.csv", "/etc/passwd", "a/../../b", "c:\\x", "a\\b.csv", "./x"] {
            assert!(!safe_name(bad), "{bad}");
        }
        assert!(safe_name("cumbria/crimes.csv"));
    }
}

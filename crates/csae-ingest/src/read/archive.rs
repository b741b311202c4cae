//! Opening a zip archive safely: an XLSX workbook is one, and so is a portal upload of CSV
//! files. Before anything is decompressed, every entry's name, the number of entries and their
//! declared uncompressed sizes are checked against [`ArchiveLimits`]; the `zip` crate then
//! refuses to give more bytes from an entry than it declared, so the declared sizes bound
//! what decompression can produce.

use std::io::{Read, Seek};

/// What an archive may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArchiveLimits {
    /// Total declared uncompressed bytes of its files.
    pub max_uncompressed: u64,
    pub max_entries: usize,
    /// Largest uncompressed/compressed ratio of an entry over 1 MB (above it: a zip bomb).
    pub max_ratio: u64,
}

impl ArchiveLimits {
    pub fn new(max_uncompressed: u64) -> ArchiveLimits {
        ArchiveLimits { max_uncompressed, max_entries: 1000, max_ratio: 200 }
    }
}

/// A file of a checked archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub index: usize,
    pub name: String,
    /// Declared uncompressed size.
    pub size: u64,
}

/// Why an archive is refused: unusable (`too_large` false) or over a size limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub too_large: bool,
    pub message: String,
}

fn refuse(message: String) -> Refused {
    Refused { too_large: false, message }
}

/// A name is safe when it is relative, has no `..`, `\`, `:` or NUL.
pub fn safe_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('/')
        && !name.contains('\\')
        && !name.contains(':')
        && !name.contains('\0')
        && name.split('/').all(|part| part != ".." && part != ".")
}

/// Opens the zip archive `reader` and checks every entry; `shown` names it in messages
/// (`the upload`, `cumbria.xlsx`). Returns the archive and its files (folders left out).
pub fn open<R: Read + Seek>(reader: R, shown: &str, limits: &ArchiveLimits) -> Result<(zip::ZipArchive<R>, Vec<Entry>), Refused> {
    let mut zip = zip::ZipArchive::new(reader).map_err(|e| refuse(not_a_zip(shown, &e)))?;
    if zip.len() > limits.max_entries {
        return Err(refuse(format!("{shown} holds {} files, more than the {} allowed", zip.len(), limits.max_entries)));
    }
    let mut entries = Vec::with_capacity(zip.len());
    let mut total = 0u64;
    for i in 0..zip.len() {
        let f = zip.by_index_raw(i).map_err(|_| refuse(format!("{shown} is a damaged zip archive (its list of files cannot be read)")))?;
        let name = f.name().map_err(|_| refuse(format!("a file name inside {shown} is not readable text, so it is refused")))?.to_string();
        let shown_name = csae_model::text::quoted(&name);
        if !safe_name(&name) || f.enclosed_name().is_none() {
            return Err(refuse(format!("{shown} holds a file named {shown_name}, which points outside the archive; such archives are refused")));
        }
        if f.is_symlink() {
            return Err(refuse(format!("{shown} holds a symbolic link ({shown_name}); such archives are refused")));
        }
        if f.encrypted() {
            return Err(refuse(format!("{shown_name} inside {shown} is protected with a password; save it without one")));
        }
        if f.is_dir() {
            continue;
        }
        let (size, packed) = (f.size(), f.compressed_size());
        if size > 1024 * 1024 && size / packed.max(1) > limits.max_ratio {
            return Err(Refused {
                too_large: true,
                message: format!("{shown_name} inside {shown} expands {}-fold, which only a zip bomb does, so it is refused", size / packed.max(1)),
            });
        }
        total = total.saturating_add(size);
        if total > limits.max_uncompressed {
            return Err(Refused {
                too_large: true,
                message: format!(
                    "the files inside {shown} add up to more than {} uncompressed, the most a return may have here; check it is the right file",
                    super::limits::size_text(limits.max_uncompressed)
                ),
            });
        }
        entries.push(Entry { index: i, name, size });
    }
    Ok((zip, entries))
}

/// The sentence for bytes that are not a zip archive at all.
fn not_a_zip(shown: &str, e: &zip::result::ZipError) -> String {
    match e {
        zip::result::ZipError::Io(io) => format!("{shown} cannot be read ({})", csae_dataset::io_reason(io)),
        _ => format!("{shown} is not a zip archive (every .xlsx workbook is one), or it is damaged"),
    }
}

/// Decompresses entry `e` whole. The `zip` crate stops at its declared size, so this is bounded
/// by what [`open`] checked.
pub fn read_entry<R: Read + Seek>(zip: &mut zip::ZipArchive<R>, e: &Entry, shown: &str) -> Result<Vec<u8>, Refused> {
    let name = csae_model::text::quoted(&e.name);
    let f = zip.by_index(e.index).map_err(|_| refuse(format!("{name} inside {shown} cannot be read; make the archive again")))?;
    let mut out = Vec::with_capacity(e.size.min(64 * 1024 * 1024) as usize);
    f.take(e.size.saturating_add(1))
        .read_to_end(&mut out)
        .map_err(|_| refuse(format!("{name} inside {shown} is damaged or not the size its header declares; make the archive again")))?;
    if out.len() as u64 != e.size {
        return Err(refuse(format!("{name} inside {shown} is not the size its header declares; the archive is damaged or crafted, so it is refused")));
    }
    Ok(out)
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

    #[test]
    fn bytes_that_are_not_a_zip_get_a_plain_sentence() {
        let e = open(std::io::Cursor::new(b"not a zip".to_vec()), "cumbria.xlsx", &ArchiveLimits::new(1 << 20)).unwrap_err();
        assert_eq!(e.message, "cumbria.xlsx is not a zip archive (every .xlsx workbook is one), or it is damaged");
        assert!(!e.message.contains("EOCD"));
    }
}

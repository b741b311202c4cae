//! Column chunks of `force_id` and `period`, encoded from their runs.
//!
//! A table's rows are stored return by return, and every row of a return has the same force and
//! period, so a row group's chunk of either column is a run of one value or a few. The Parquet
//! writer dictionary-encodes them all the same: it hashes every row's value into the chunk's
//! dictionary and compares it with the chunk's minimum and maximum so far: for the national
//! collection's million values, about 8% of an ingest's instructions other than SHA-256. Here
//! the chunk is written from its runs instead: a dictionary page of the distinct values (plain),
//! one data page of their indices run-length encoded, and the metadata, statistics, offset index
//! and column index the writer would have given it. Readers see the same encodings as in the
//! other dictionary columns, and the same values.

use arrow::array::{Array, ArrayRef, AsArray};
use arrow::datatypes::DataType;
use bytes::Bytes;
use parquet::basic::{BoundaryOrder, Compression, Encoding, EncodingMask, PageType, Type};
use parquet::column::page::{CompressedPage, Page, PageWriter};
use parquet::column::writer::ColumnCloseResult;
use parquet::data_type::ByteArray;
use parquet::errors::Result;
use parquet::file::metadata::{ColumnChunkMetaData, ColumnIndexBuilder, OffsetIndexBuilder, PageEncodingStats};
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::file::statistics::{Statistics, ValueStatistics};
use parquet::file::writer::{SerializedPageWriter, TrackedWrite};
use parquet::schema::types::ColumnDescPtr;

/// Values longer than this are left to the Parquet writer, which would shorten them in the
/// column index (its default `column_index_truncate_length`). Forces and periods are far shorter.
const LONGEST_VALUE: usize = 64;

/// The runs of one value of non-null text arrays, in order: `(value, rows)`, neighbours
/// different. `None` when an array is not plain or dictionary-encoded text, has a blank
/// (null) row, or a value longer than [`LONGEST_VALUE`]: the caller then uses the writer.
pub fn runs<'a>(arrays: impl IntoIterator<Item = &'a ArrayRef>) -> Option<Vec<(&'a str, usize)>> {
    let mut runs: Vec<(&'a str, usize)> = Vec::new();
    let mut push = |v: &'a str, n: usize| match runs.last_mut() {
        Some((last, count)) if *last == v => *count += n,
        _ => runs.push((v, n)),
    };
    for a in arrays {
        if a.null_count() > 0 {
            return None;
        }
        match a.data_type() {
            DataType::Utf8 => a.as_string::<i32>().iter().flatten().for_each(|v| push(v, 1)),
            DataType::Dictionary(_, value) if value.as_ref() == &DataType::Utf8 => {
                let d = a.as_any_dictionary();
                let values = d.values().as_string::<i32>();
                if values.len() == 1 && values.is_valid(0) {
                    // A return's own batches: one value, every row.
                    push(values.value(0), a.len());
                    continue;
                }
                for k in d.normalized_keys() {
                    if values.is_null(k) {
                        return None;
                    }
                    push(values.value(k), 1);
                }
            }
            _ => return None,
        }
    }
    runs.iter().all(|(v, _)| v.len() <= LONGEST_VALUE).then_some(runs)
}

/// The encoded chunk of a non-null text column made of `runs`, and what closing a column
/// writer would have returned for it. Offsets are from the start of the returned bytes, as
/// `SerializedRowGroupWriter::append_column` expects.
pub fn chunk(descr: &ColumnDescPtr, props: &WriterProperties, runs: &[(&str, usize)]) -> Result<(Bytes, ColumnCloseResult)> {
    // The dictionary: distinct values in order of first appearance, as the writer makes it.
    let mut dictionary: Vec<&str> = Vec::new();
    let indices: Vec<usize> = runs
        .iter()
        .map(|(v, _)| {
            dictionary.iter().position(|d| d == v).unwrap_or_else(|| {
                dictionary.push(v);
                dictionary.len() - 1
            })
        })
        .collect();
    let rows: usize = runs.iter().map(|(_, n)| n).sum();
    let text_bytes: usize = runs.iter().map(|(v, n)| v.len() * n).sum();

    let mut dictionary_page = Vec::new();
    for v in &dictionary {
        dictionary_page.extend_from_slice(&(v.len() as u32).to_le_bytes());
        dictionary_page.extend_from_slice(v.as_bytes());
    }
    let data_page = rle_indices(&indices, runs, dictionary.len());

    let mut sink = TrackedWrite::new(Vec::new());
    let (dict_spec, data_spec) = {
        let mut pages = SerializedPageWriter::new(&mut sink);
        let (dict_len, data_len) = (dictionary_page.len(), data_page.len());
        let dict_spec = pages.write_page(CompressedPage::new(
            Page::DictionaryPage { buf: dictionary_page.into(), num_values: dictionary.len() as u32, encoding: props.dictionary_page_encoding(), is_sorted: false },
            dict_len,
        ))?;
        let data_spec = pages.write_page(CompressedPage::new(
            Page::DataPage {
                buf: data_page.into(),
                num_values: rows as u32,
                encoding: props.dictionary_data_page_encoding(),
                def_level_encoding: Encoding::RLE,
                rep_level_encoding: Encoding::RLE,
                statistics: None,
            },
            data_len,
        ))?;
        pages.close()?;
        (dict_spec, data_spec)
    };
    let bytes = Bytes::from(sink.into_inner()?);

    let path = descr.path();
    let statistics = props.statistics_enabled(path);
    let (min, max) = (
        dictionary.iter().min().expect("a chunk has rows").as_bytes(),
        dictionary.iter().max().expect("a chunk has rows").as_bytes(),
    );
    let encodings = [props.dictionary_page_encoding(), Encoding::RLE, props.dictionary_data_page_encoding()];
    let mut metadata = ColumnChunkMetaData::builder(descr.clone())
        .set_compression(Compression::UNCOMPRESSED)
        .set_encodings_mask(EncodingMask::new_from_encodings(encodings.iter()))
        .set_page_encoding_stats(vec![
            PageEncodingStats { page_type: PageType::DICTIONARY_PAGE, encoding: props.dictionary_page_encoding(), count: 1 },
            PageEncodingStats { page_type: PageType::DATA_PAGE, encoding: props.dictionary_data_page_encoding(), count: 1 },
        ])
        .set_total_compressed_size((dict_spec.compressed_size + data_spec.compressed_size) as i64)
        .set_total_uncompressed_size((dict_spec.uncompressed_size + data_spec.uncompressed_size) as i64)
        .set_num_values(rows as i64)
        .set_data_page_offset(data_spec.offset as i64)
        .set_dictionary_page_offset(Some(dict_spec.offset as i64));
    if statistics != EnabledStatistics::None {
        let stats: Statistics = ValueStatistics::<ByteArray>::new(Some(min.to_vec().into()), Some(max.to_vec().into()), None, Some(0), false)
            .with_backwards_compatible_min_max(descr.sort_order().is_signed())
            .into();
        metadata = metadata.set_statistics(stats).set_unencoded_byte_array_data_bytes(Some(text_bytes as i64));
    }
    let column_index = if statistics == EnabledStatistics::Page {
        let mut index = ColumnIndexBuilder::new(Type::BYTE_ARRAY);
        index.append(false, min.to_vec(), max.to_vec(), 0);
        index.set_boundary_order(BoundaryOrder::ASCENDING);
        Some(index.build()?)
    } else {
        None
    };
    let offset_index = (!props.offset_index_disabled()).then(|| {
        let mut index = OffsetIndexBuilder::new();
        index.append_offset_and_size(data_spec.offset as i64, data_spec.compressed_size as i32);
        index.append_row_count(rows as i64);
        index.append_unencoded_byte_array_data_bytes(Some(text_bytes as i64));
        index.build()
    });
    let close = ColumnCloseResult {
        bytes_written: bytes.len() as u64,
        rows_written: rows as u64,
        metadata: metadata.build()?,
        bloom_filter: None,
        column_index,
        offset_index,
    };
    Ok((bytes, close))
}

/// A data page's dictionary indices in Parquet's hybrid run-length / bit-packed encoding, all
/// as runs: the bit width in a byte, then per run its length (shifted left, low bit 0) as a
/// variable-length integer and the index in as few whole bytes as the width needs.
fn rle_indices(indices: &[usize], runs: &[(&str, usize)], distinct: usize) -> Vec<u8> {
    let width = (usize::BITS - (distinct.max(1) - 1).leading_zeros()) as usize;
    let mut out = vec![width as u8];
    for (&index, &(_, rows)) in indices.iter().zip(runs) {
        let mut header = (rows as u64) << 1;
        loop {
            let byte = (header & 0x7f) as u8;
            header >>= 7;
            if header == 0 {
                out.push(byte);
                break;
            }
            out.push(byte | 0x80);
        }
        out.extend_from_slice(&index.to_le_bytes()[..width.div_ceil(8)]);
    }
    out
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{DictionaryArray, Int8Array, StringArray};

    use super::*;

    fn plain(v: &[&str]) -> ArrayRef {
        Arc::new(StringArray::from(v.to_vec()))
    }

    #[test]
    fn runs_join_equal_neighbours_across_arrays_and_kinds() {
        let constant: ArrayRef = Arc::new(DictionaryArray::new(Int8Array::from(vec![0, 0, 0]), Arc::new(StringArray::from(vec!["kent"]))));
        let mixed: ArrayRef = Arc::new(DictionaryArray::new(Int8Array::from(vec![1, 1, 0, 1]), Arc::new(StringArray::from(vec!["essex", "kent"]))));
        let arrays = [plain(&["durham", "kent"]), constant, mixed, plain(&["kent", "kent"])];
        assert_eq!(runs(&arrays).unwrap(), vec![("durham", 1), ("kent", 6), ("essex", 1), ("kent", 3)]);
    }

    #[test]
    fn blanks_long_values_and_other_types_go_to_the_writer() {
        assert!(runs(&[Arc::new(StringArray::from(vec![Some("kent"), None])) as ArrayRef]).is_none());
        assert!(runs(&[plain(&[&"x".repeat(LONGEST_VALUE + 1)])]).is_none());
        assert!(runs(&[Arc::new(Int8Array::from(vec![1])) as ArrayRef]).is_none());
        assert_eq!(runs(&[plain(&[&"x".repeat(LONGEST_VALUE)])]).unwrap().len(), 1);
    }

    #[test]
    fn indices_are_runs_of_the_narrowest_width() {
        // One value: width 0, so a run is its header alone.
        assert_eq!(rle_indices(&[0], &[("a", 3)], 1), vec![0, 6]);
        // Three values: width 2, one byte each; a run of 200 rows takes a two-byte header.
        assert_eq!(rle_indices(&[0, 2, 1], &[("a", 1), ("c", 200), ("b", 2)], 3), vec![2, 2, 0, 0x90, 0x03, 2, 4, 1]);
        // 300 values: width 9, two bytes each.
        assert_eq!(rle_indices(&[258], &[("x", 1)], 300), vec![9, 2, 2, 1]);
    }
}

//! The four tables of a return and their columns, exactly as `data-standard.md` lists them.

/// What a column holds, which decides how it is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    /// A force id that must equal the return's force.
    ForceId,
    /// A reference (crime, person, operation, PNC id): free text up to `max` characters.
    Ref { max: usize },
    /// A `YYYY-MM-DD` date (or an Excel date in a workbook).
    Date,
    /// A Home Office offence code of the catalogue.
    OffenceCode,
    /// A code of the named code list.
    Code(&'static str),
    /// A whole number of years 0–120.
    Age,
    /// An ISO 3166-1 alpha-3 country code.
    Nationality,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub name: &'static str,
    pub required: bool,
    pub kind: ColumnKind,
    /// A personal field: its values are never shown in national outputs or logs.
    pub personal: bool,
}

const fn col(name: &'static str, required: bool, kind: ColumnKind) -> Column {
    Column { name, required, kind, personal: false }
}

const fn personal(name: &'static str, required: bool, kind: ColumnKind) -> Column {
    Column { name, required, kind, personal: true }
}

const REF64: ColumnKind = ColumnKind::Ref { max: 64 };

pub const CRIME_COLUMNS: &[Column] = &[
    col("force_id", true, ColumnKind::ForceId),
    col("crime_ref", true, REF64),
    col("recorded_date", true, ColumnKind::Date),
    col("offence_date_from", false, ColumnKind::Date),
    col("offence_date_to", false, ColumnKind::Date),
    col("offence_code", true, ColumnKind::OffenceCode),
    col("csa_flag", false, ColumnKind::Code("flag")),
    col("cse_flag", false, ColumnKind::Code("flag")),
    col("online_flag", false, ColumnKind::Code("flag")),
    col("cocad_category", false, ColumnKind::Code("cocad_category")),
    col("location_type", false, ColumnKind::Code("location_type")),
    col("operation_ref", false, REF64),
];

pub const PERSON_COLUMNS: &[Column] = &[
    col("force_id", true, ColumnKind::ForceId),
    col("crime_ref", true, REF64),
    personal("person_ref", true, REF64),
    personal("pnc_id", false, REF64),
    col("age_at_offence", false, ColumnKind::Age),
    personal("date_of_birth", false, ColumnKind::Date),
    col("sex", false, ColumnKind::Code("sex")),
    col("ethnicity", false, ColumnKind::Code("ethnicity")),
    col("ethnicity_officer", false, ColumnKind::Code("ethnicity_officer")),
    col("nationality", false, ColumnKind::Nationality),
];

pub const RELATIONSHIP_COLUMNS: &[Column] = &[
    col("force_id", true, ColumnKind::ForceId),
    col("crime_ref", true, REF64),
    personal("victim_ref", true, REF64),
    personal("suspect_ref", true, REF64),
    col("relationship", true, ColumnKind::Code("relationship")),
];

/// The four tables, in validation (cascade) order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Table {
    Crimes,
    Victims,
    Suspects,
    Relationships,
}

impl Table {
    pub const ALL: [Table; 4] = [Table::Crimes, Table::Victims, Table::Suspects, Table::Relationships];

    /// The table's name: the CSV file stem, the workbook sheet and the Parquet file stem.
    pub fn name(self) -> &'static str {
        match self {
            Table::Crimes => "crimes",
            Table::Victims => "victims",
            Table::Suspects => "suspects",
            Table::Relationships => "relationships",
        }
    }

    pub fn from_name(name: &str) -> Option<Table> {
        Table::ALL.into_iter().find(|t| t.name().eq_ignore_ascii_case(name.trim()))
    }

    pub fn columns(self) -> &'static [Column] {
        match self {
            Table::Crimes => CRIME_COLUMNS,
            Table::Victims | Table::Suspects => PERSON_COLUMNS,
            Table::Relationships => RELATIONSHIP_COLUMNS,
        }
    }

    /// Index of a standard column in [`Table::columns`].
    pub fn column_index(self, name: &str) -> Option<usize> {
        self.columns().iter().position(|c| c.name == name)
    }
}

impl std::fmt::Display for Table {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_and_required_columns_match_the_standard() {
        let required = |t: Table| -> Vec<&str> {
            t.columns().iter().filter(|c| c.required).map(|c| c.name).collect()
        };
        assert_eq!(required(Table::Crimes), ["force_id", "crime_ref", "recorded_date", "offence_code"]);
        assert_eq!(required(Table::Victims), ["force_id", "crime_ref", "person_ref"]);
        assert_eq!(required(Table::Relationships), ["force_id", "crime_ref", "victim_ref", "suspect_ref", "relationship"]);
        assert_eq!(Table::from_name("Crimes"), Some(Table::Crimes));
        assert_eq!(Table::Suspects.column_index("nationality"), Some(9));
        for t in Table::ALL {
            for c in t.columns() {
                if let ColumnKind::Code(list) = c.kind {
                    assert!(!crate::code_list(list).codes.is_empty());
                }
            }
        }
    }
}

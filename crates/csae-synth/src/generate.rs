//! Generates one force's return as rows of text cells in the standard column order, keeping
//! track of which crime each person row and relationship row belongs to (the error injector and
//! its expectations need that).

use std::collections::HashMap;

use chrono::{Datelike, Days, NaiveDate};
use csae_model::{Force, Offence, Table, code_list, offence};

use crate::calibration::{self as cal, AgeForm};
use crate::rng::Rng;

/// The calendar year the synthetic returns cover.
pub const YEAR: i32 = 2023;

/// A row of a table: its cells in the standard column order, and what it belongs to.
#[derive(Debug, Clone)]
pub struct Row {
    pub cells: Vec<String>,
    /// Index of the crime (in the crimes table) the row belongs to.
    pub crime: usize,
    /// For victim / suspect rows: own index; for relationships: the victim and suspect rows.
    pub victim: Option<usize>,
    pub suspect: Option<usize>,
}

#[derive(Debug, Clone, Default)]
pub struct ForceData {
    /// Rows per table in `Table::ALL` order.
    pub tables: [Vec<Row>; 4],
    /// Per crime row: whether it was made a CSAE crime (in scope).
    pub in_scope: Vec<bool>,
}

/// A person as the force knows them.
#[derive(Debug, Clone)]
struct Profile {
    person_ref: String,
    birth: NaiveDate,
    sex: &'static str,
    ethnicity: Option<&'static str>,
    ethnicity_officer: Option<&'static str>,
    nationality: Option<&'static str>,
    pnc: Option<String>,
    unidentified: bool,
}

/// A travelling offender known to several forces, linked by PNC id.
#[derive(Debug, Clone)]
pub struct Traveller {
    birth: NaiveDate,
    sex: &'static str,
    ethnicity: Option<&'static str>,
    nationality: Option<&'static str>,
    pnc: String,
}

/// The national pool of travelling offenders, the same for every force of a seed.
pub fn travellers(seed: u64, scale: f64) -> Vec<Traveller> {
    let mut rng = Rng::new(seed, u64::MAX);
    let n = (cal::TRAVELLING_POOL * scale).round().max(1.0) as usize;
    (0..n)
        .map(|i| {
            let age = rng.range(18, 50);
            Traveller {
                birth: date(YEAR - age as i32, 1 + rng.below(12) as u32, 1 + rng.below(28) as u32),
                sex: if rng.chance(0.95) { "M" } else { "F" },
                ethnicity: ethnicity(&mut rng, cal::SUSPECT_ETHNICITY_RECORDED),
                nationality: nationality(&mut rng, 0.9),
                pnc: format!("{:02}/{:06}{}", 90 + i / 1_000_000 % 10, i % 1_000_000, (b'A' + (i % 26) as u8) as char),
            }
        })
        .collect()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid generated date")
}

fn iso(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// A birth date giving exactly `age` whole years on `at`.
fn birth_for(rng: &mut Rng, age: i64, at: NaiveDate) -> NaiveDate {
    let y = at.year() - age as i32;
    let upper = NaiveDate::from_ymd_opt(y, at.month(), at.day()).unwrap_or_else(|| date(y, 2, 28));
    upper - Days::new(rng.below(365) as u64)
}

fn ethnicity(rng: &mut Rng, recorded: f64) -> Option<&'static str> {
    if !rng.chance(recorded) {
        return rng.chance(cal::NOT_STATED_SHARE).then_some("NS");
    }
    let group = *rng.weighted(&cal::ETHNIC_GROUPS);
    let codes: Vec<&'static str> = code_list("ethnicity").codes.iter().filter(|c| c.group.as_deref() == Some(group)).map(|c| c.code.as_str()).collect();
    // The first code of each group is the most common (W1, A1...).
    Some(if rng.chance(0.6) { codes[0] } else { *rng.pick(&codes) })
}

fn officer_ethnicity(rng: &mut Rng, self_defined: Option<&str>) -> Option<&'static str> {
    if !rng.chance(cal::OFFICER_ETHNICITY_GIVEN) {
        return None;
    }
    let group = self_defined.and_then(|c| code_list("ethnicity").group(c)).map(str::to_string).unwrap_or_else(|| rng.weighted(&cal::ETHNIC_GROUPS).to_string());
    Some(match group.as_str() {
        "WHITE" => if rng.chance(0.85) { "IC1" } else { "IC2" },
        "BLACK" => "IC3",
        "ASIAN" => if rng.chance(0.85) { "IC4" } else { "IC5" },
        "OTHER" => "IC6",
        _ => "IC9",
    })
}

fn nationality(rng: &mut Rng, known: f64) -> Option<&'static str> {
    rng.chance(known).then(|| if rng.chance(cal::BRITISH_SHARE) { "GBR" } else { *rng.pick(&cal::OTHER_NATIONALITIES) })
}

fn band(rng: &mut Rng, bands: &[((i64, i64), f64)]) -> i64 {
    let (lo, hi) = *rng.weighted(bands);
    rng.range(lo, hi)
}

/// Lowest victim age an offence allows ("aged 13 and over"), read from the catalogue text.
fn min_victim_age(o: &Offence) -> i64 {
    let d = &o.description;
    if d.contains("aged 16 and over") {
        16
    } else if d.contains("aged 13 and over") {
        13
    } else {
        0
    }
}

const FAMILY_ADULT: [(&str, f64); 4] = [("PARENT", 0.45), ("STEP_PARENT", 0.3), ("GRANDPARENT", 0.08), ("OTHER_FAMILY", 0.17)];
const FAMILY_YOUNG: [(&str, f64); 2] = [("SIBLING", 0.6), ("OTHER_FAMILY", 0.4)];
const CSE_RELS: [(&str, f64); 6] = [("FRIEND_ACQUAINTANCE", 0.35), ("STRANGER", 0.2), ("ONLINE_ONLY", 0.15), ("PARTNER", 0.1), ("OTHER", 0.1), ("UNKNOWN", 0.1)];
const OTHER_RELS_ADULT: [(&str, f64); 5] = [("FRIEND_ACQUAINTANCE", 0.4), ("STRANGER", 0.25), ("ONLINE_ONLY", 0.15), ("PARTNER", 0.1), ("OTHER", 0.1)];
const OTHER_RELS_YOUNG: [(&str, f64); 4] = [("PEER", 0.55), ("FRIEND_ACQUAINTANCE", 0.25), ("PARTNER", 0.1), ("ONLINE_ONLY", 0.1)];
const HOME: [&str; 3] = ["DWELLING_VICTIM", "DWELLING_SUSPECT", "DWELLING_OTHER"];
const CSE_PLACES: [&str; 7] = ["HOTEL", "VEHICLE", "DWELLING_OTHER", "PUBLIC_OUTDOOR", "COMMERCIAL", "DWELLING_SUSPECT", "ONLINE"];
const INSTITUTIONS: [&str; 6] = ["EDUCATION", "CARE_SETTING", "RELIGIOUS", "SPORTS_YOUTH", "HEALTHCARE", "CUSTODIAL"];
const ORDINARY_PLACES: [&str; 9] = ["DWELLING_VICTIM", "DWELLING_SUSPECT", "DWELLING_OTHER", "PUBLIC_OUTDOOR", "VEHICLE", "COMMERCIAL", "ONLINE", "OTHER", "UNKNOWN"];
const OPERATION_WORDS: [&str; 12] = ["ALDER", "BEACON", "CEDAR", "DRUMLIN", "EMBER", "FALCON", "GRANITE", "HERON", "JUNIPER", "KESTREL", "LINDEN", "MERLIN"];

/// An offender network of a force: its suspects and, perhaps, its operation.
struct Network {
    operation: Option<String>,
    suspects: Vec<usize>,
}

pub struct ForceGenerator<'a> {
    force: &'static Force,
    force_index: usize,
    rng: Rng,
    prefix: String,
    mix: Vec<(&'static Offence, f64)>,
    adult_mix: Vec<(&'static Offence, f64)>,
    travellers: &'a [Traveller],
    victims: Vec<Profile>,
    suspects: Vec<Profile>,
    traveller_refs: HashMap<usize, usize>,
    networks: Vec<Network>,
    people_made: usize,
    operations_made: usize,
    data: ForceData,
    year: YearPlan,
    /// Earlier years' references taken by a reappearing suspect of this return.
    reappeared: std::collections::HashSet<String>,
}

/// What one year of a synthetic series does differently from the single 2023 collection.
#[derive(Debug, Clone, Default)]
pub struct YearPlan {
    /// The year crimes are recorded in (default 2023).
    pub year: Option<i32>,
    /// Person references carry the year (`CN23N0000001`), so each year's persons are new
    /// unless they reappear; the earlier years' tags a reappearing suspect is drawn from.
    pub tag: Option<String>,
    pub earlier_tags: Vec<String>,
    /// Share of new suspects who are a person of an earlier year of the same force.
    pub reappear: f64,
    /// Added to the chance that a CSE or other crime is online (the online share rises).
    pub online_shift: f64,
    /// A month (1–12) in which this force recorded nothing (a gap in its return).
    pub skip_month: Option<u32>,
    /// This year the force records self-defined ethnicity of suspects, or the CoCAD category,
    /// far less often than usual (a recording lapse: H04, H05).
    pub ethnicity_lapse: bool,
    pub category_lapse: bool,
}

/// In a recording lapse, a field is recorded this share as often as usual.
const LAPSE: f64 = 0.3;

impl<'a> ForceGenerator<'a> {
    pub fn new(force: &'static Force, force_index: usize, seed: u64, prc: &[(String, String, u32)], travellers: &'a [Traveller]) -> Self {
        let mut mix = Vec::new();
        let mut adult_mix = Vec::new();
        for (f, code, n) in prc {
            if f != &force.id {
                continue;
            }
            let Some(o) = offence(code) else { continue };
            if o.child_specific {
                mix.push((o, f64::from(*n)));
            } else {
                mix.push((o, f64::from(*n) * cal::ADULT_CODE_CHILD_FRACTION));
                adult_mix.push((o, f64::from(*n)));
            }
        }
        if mix.is_empty() {
            mix.push((offence("22B").expect("22B"), 1.0));
        }
        if adult_mix.is_empty() {
            adult_mix.push((offence("20A").expect("20A"), 1.0));
        }
        let prefix: String = force.id.split('-').filter_map(|w| w.chars().next()).collect::<String>().to_uppercase();
        ForceGenerator {
            force,
            force_index,
            rng: Rng::new(seed, force_index as u64 + 1),
            prefix: if prefix.len() < 2 { force.id[..2].to_uppercase() } else { prefix },
            mix,
            adult_mix,
            travellers,
            victims: Vec::new(),
            suspects: Vec::new(),
            traveller_refs: HashMap::new(),
            networks: Vec::new(),
            people_made: 0,
            operations_made: 0,
            data: ForceData::default(),
            year: YearPlan::default(),
            reappeared: std::collections::HashSet::new(),
        }
    }

    /// The return of one year of a series instead of the 2023 collection.
    pub fn for_year(mut self, plan: YearPlan) -> Self {
        self.year = plan;
        self
    }

    fn year(&self) -> i32 {
        self.year.year.unwrap_or(YEAR)
    }

    /// Generates `csae` in-scope crimes plus the out-of-scope share, interleaved.
    pub fn generate(mut self, csae: usize) -> ForceData {
        let out = (csae as f64 * cal::OUT_OF_SCOPE_SHARE).round() as usize;
        let total = csae + out;
        for k in 0..total {
            // Spread out-of-scope crimes evenly through the return.
            let in_scope = out == 0 || (k * out) / total == ((k + 1) * out) / total;
            self.crime(k, in_scope);
        }
        self.data
    }

    /// A known suspect can be a suspect of a crime at `at` only if old enough then.
    fn plausible_suspect(&self, s: usize, at: NaiveDate) -> bool {
        (7..=95).contains(&csae_model::dates::whole_years(self.suspects[s].birth, at))
    }

    fn new_person_ref(&mut self) -> String {
        self.people_made += 1;
        format!("{}{}N{:07}", self.prefix, self.year.tag.as_deref().unwrap_or(""), self.people_made)
    }

    /// A new suspect's reference: sometimes (in a series) a person of an earlier year.
    fn suspect_ref(&mut self) -> String {
        if !self.year.earlier_tags.is_empty() && self.rng.chance(self.year.reappear) {
            let tag = self.rng.pick(&self.year.earlier_tags).clone();
            let r = format!("{}{tag}N{:07}", self.prefix, 1 + self.rng.below(self.people_made.max(1)));
            if self.reappeared.insert(r.clone()) {
                return r;
            }
        }
        self.new_person_ref()
    }

    fn pnc(&mut self) -> String {
        let n = self.people_made;
        format!("{:02}/{:02}{:05}{}", 80 + self.rng.below(19), self.force_index, n % 100_000, (b'A' + self.rng.below(26) as u8) as char)
    }

    fn new_suspect(&mut self, age: i64, at: NaiveDate) -> usize {
        let person_ref = self.suspect_ref();
        let birth = birth_for(&mut self.rng, age, at);
        let eth = ethnicity(&mut self.rng, cal::SUSPECT_ETHNICITY_RECORDED * if self.year.ethnicity_lapse { LAPSE } else { 1.0 });
        let pnc = (age >= 10 && self.rng.chance(cal::SUSPECT_PNC)).then(|| self.pnc());
        let p = Profile {
            person_ref,
            birth,
            sex: *self.rng.weighted(&[("M", 0.89), ("F", 0.08), ("U", 0.03)]),
            ethnicity: eth,
            ethnicity_officer: officer_ethnicity(&mut self.rng, eth),
            nationality: nationality(&mut self.rng, cal::SUSPECT_NATIONALITY_KNOWN),
            pnc,
            unidentified: false,
        };
        self.suspects.push(p);
        self.suspects.len() - 1
    }

    fn traveller(&mut self) -> usize {
        let t = self.rng.below(self.travellers.len());
        if let Some(&i) = self.traveller_refs.get(&t) {
            return i;
        }
        let tr = &self.travellers[t];
        let p = Profile {
            person_ref: String::new(),
            birth: tr.birth,
            sex: tr.sex,
            ethnicity: tr.ethnicity,
            ethnicity_officer: None,
            nationality: tr.nationality,
            pnc: Some(tr.pnc.clone()),
            unidentified: false,
        };
        let person_ref = self.new_person_ref();
        self.suspects.push(Profile { person_ref, ..p });
        let i = self.suspects.len() - 1;
        self.traveller_refs.insert(t, i);
        i
    }

    fn new_victim(&mut self, age: i64, at: NaiveDate) -> usize {
        let person_ref = self.new_person_ref();
        let birth = birth_for(&mut self.rng, age, at);
        let eth = ethnicity(&mut self.rng, cal::VICTIM_ETHNICITY_RECORDED);
        let p = Profile {
            person_ref,
            birth,
            sex: *self.rng.weighted(&[("F", 0.82), ("M", 0.16), ("U", 0.02)]),
            ethnicity: eth,
            ethnicity_officer: None,
            nationality: nationality(&mut self.rng, cal::VICTIM_NATIONALITY_KNOWN),
            pnc: self.rng.chance(0.02).then(|| self.pnc()),
            unidentified: false,
        };
        self.victims.push(p);
        self.victims.len() - 1
    }

    fn offence_for(&mut self, category: &str, in_scope: bool) -> &'static Offence {
        if !in_scope {
            return *self.rng.weighted(&self.adult_mix);
        }
        if category == "CSE" && self.rng.chance(0.45) {
            return offence("71").expect("71");
        }
        let allowed: Vec<(&'static Offence, f64)> = self.mix.iter().filter(|(o, _)| o.code != "71" && o.code != "72").copied().collect();
        if allowed.is_empty() { offence("22B").expect("22B") } else { *self.rng.weighted(&allowed) }
    }

    /// Adds one crime with its people and relationships.
    fn crime(&mut self, k: usize, in_scope: bool) {
        self.data.in_scope.push(in_scope);
        let rng = &mut self.rng;
        let group = in_scope && rng.chance(cal::GROUP_BASED_SHARE);
        let category = *if !in_scope { &"OTHER" } else if group { rng.weighted(&cal::GROUP_CATEGORIES) } else { rng.weighted(&cal::SINGLE_CATEGORIES) };
        let mut recorded = date(self.year.year.unwrap_or(YEAR), 1, 1) + Days::new(rng.below(365) as u64);
        if self.year.skip_month == Some(recorded.month()) {
            recorded = if recorded.month() == 12 { recorded - Days::new(31) } else { recorded + Days::new(31) };
        }
        let off = self.offence_for(category, in_scope);
        let rng = &mut self.rng;
        let non_recent = in_scope && rng.chance(cal::NON_RECENT_SHARE);
        let from_known = non_recent || rng.chance(0.95);

        // Victims: ages fit the offence; a non-recent crime's first victim is now an adult.
        let (min_age, max_age) = if in_scope {
            let lo = min_victim_age(off).max(if category == "CSE" { 12 } else { 0 });
            let hi = off.victim_age_below.map_or(17, |l| i64::from(l) - 1).min(17);
            (lo.min(hi), hi)
        } else {
            (18, 60)
        };
        let n_victims = *rng.weighted(&cal::VICTIMS_PER_CRIME);
        let mut victim_ages = Vec::with_capacity(n_victims);
        for _ in 0..n_victims {
            let mut age = if in_scope { band(rng, &cal::VICTIM_AGES) } else { rng.range(min_age, max_age) };
            if age < min_age || age > max_age {
                age = rng.range(min_age, max_age);
            }
            victim_ages.push(age);
        }
        let from = if non_recent {
            let years = (18 - victim_ages[0]).max(1) + rng.range(0, 12);
            let y = (recorded.year() - years as i32).max(1975);
            Some(date(y, 1 + rng.below(12) as u32, 1 + rng.below(28) as u32).min(recorded))
        } else if from_known {
            Some(recorded - Days::new(rng.below(300) as u64))
        } else {
            None
        };
        let to = match from {
            Some(f) if rng.chance(0.35) => {
                let span = (recorded - f).num_days().max(0) as usize;
                Some(f + Days::new(rng.below(span.min(600) + 1) as u64))
            }
            _ => None,
        };
        let at = from.unwrap_or(recorded);

        // Flags: never a CSE flag outside CSE, so the derivation stays meaningful.
        let cse_flag = if category == "CSE" {
            if off.code == "71" { *rng.weighted(&[("Y", 0.8), ("", 0.2)]) } else { "Y" }
        } else if in_scope {
            *rng.weighted(&[("N", 0.75), ("", 0.25)])
        } else {
            "N"
        };
        let mut csa_flag = if in_scope { *rng.weighted(&[("Y", 0.7), ("N", 0.1), ("", 0.2)]) } else { *rng.weighted(&[("N", 0.85), ("", 0.15)]) };
        if in_scope && !off.child_specific && cse_flag != "Y" {
            // In scope through the flag, or through a victim with a known age under 18.
            if rng.chance(0.5) {
                csa_flag = "Y";
            }
        }
        let online = match category {
            "CSE" => rng.chance(0.25 + self.year.online_shift),
            "OTHER" => rng.chance(0.2 + self.year.online_shift),
            _ => off.code == "88A" && rng.chance(0.7) || rng.chance(0.03),
        };
        let online_flag = if rng.chance(0.12) { "" } else if online { "Y" } else { "N" };
        let location = match category {
            "FAMILIAL" => *rng.pick(&HOME),
            "CSE" => *rng.pick(&CSE_PLACES),
            "INSTITUTIONAL" => *rng.pick(&INSTITUTIONS),
            _ if online && rng.chance(0.6) => "ONLINE",
            _ => *rng.pick(&ORDINARY_PLACES),
        };
        let location = if category != "INSTITUTIONAL" && rng.chance(0.1) { "" } else { location };

        // Suspects.
        let n_suspects = if group {
            let (lo, hi) = *rng.weighted(&cal::GROUP_SIZES);
            rng.range(lo, hi) as usize
        } else if rng.chance(cal::NO_SUSPECT_SHARE) {
            0
        } else {
            1
        };
        let ages = if group { &cal::SUSPECT_AGES_GROUP } else { &cal::SUSPECT_AGES_SINGLE };
        let mut suspect_ids: Vec<usize> = Vec::with_capacity(n_suspects);
        let mut operation: Option<String> = None;
        let networked = group && matches!(category, "CSE" | "OTHER" | "UNKNOWN" | "RITUALISTIC");
        if networked && !self.networks.is_empty() && self.rng.chance(cal::JOIN_NETWORK) {
            let ni = self.rng.below(self.networks.len());
            let take = self.rng.range(1, 2).min(self.networks[ni].suspects.len() as i64) as usize;
            for _ in 0..take {
                let s = *self.rng.pick(&self.networks[ni].suspects);
                if self.plausible_suspect(s, at) && !suspect_ids.contains(&s) {
                    suspect_ids.push(s);
                }
            }
            operation = self.networks[ni].operation.clone();
        } else if !group && n_suspects == 1 && !self.networks.is_empty() && self.rng.chance(cal::SINGLE_IN_NETWORK) {
            let ni = self.rng.below(self.networks.len());
            let s = *self.rng.pick(&self.networks[ni].suspects);
            if self.plausible_suspect(s, at) {
                suspect_ids.push(s);
            }
        } else if !group && n_suspects == 1 && !self.suspects.is_empty() && self.rng.chance(cal::REPEAT_SUSPECT_SINGLE) {
            let s = self.rng.below(self.suspects.len());
            if !self.suspects[s].unidentified && self.plausible_suspect(s, at) {
                suspect_ids.push(s);
            }
        }
        let mut unidentified = 0;
        while suspect_ids.len() < n_suspects {
            if self.rng.chance(cal::UNIDENTIFIED_SUSPECT) {
                unidentified += 1;
                continue_unidentified(&mut suspect_ids, &mut self.suspects, unidentified, &mut self.rng);
                continue;
            }
            let traveller = if networked && self.rng.chance(cal::TRAVELLING_SUSPECT) { Some(self.traveller()).filter(|&t| self.plausible_suspect(t, at)) } else { None };
            let id = if let Some(t) = traveller {
                t
            } else {
                let age = band(&mut self.rng, ages);
                self.new_suspect(age, at)
            };
            if !suspect_ids.contains(&id) {
                suspect_ids.push(id);
            }
        }
        if networked {
            let identified: Vec<usize> = suspect_ids.iter().copied().filter(|&s| !self.suspects[s].unidentified).collect();
            match self.networks.iter_mut().find(|n| n.operation.is_some() && n.operation == operation) {
                Some(n) => {
                    for s in identified {
                        if !n.suspects.contains(&s) {
                            n.suspects.push(s);
                        }
                    }
                }
                None if identified.len() >= 2 => {
                    if self.rng.chance(cal::NETWORK_OPERATION) {
                        self.operations_made += 1;
                        operation = Some(format!("OP-{}-{:03}", OPERATION_WORDS[self.rng.below(OPERATION_WORDS.len())], self.operations_made));
                    }
                    self.networks.push(Network { operation: operation.clone(), suspects: identified });
                }
                None => {}
            }
        }

        // Victims: a few are victims of earlier crimes too (if the offence allows their age).
        let mut victim_ids = Vec::with_capacity(n_victims);
        for (i, &age) in victim_ages.iter().enumerate() {
            let reuse = in_scope && !self.victims.is_empty() && self.rng.chance(cal::REPEAT_VICTIM);
            let id = if reuse {
                let v = self.rng.below(self.victims.len());
                let a = i64::from(csae_model::dates::whole_years(self.victims[v].birth, at));
                if (min_age..=max_age).contains(&a) && !victim_ids.contains(&v) && !(non_recent && i == 0) { v } else { self.new_victim(age, at) }
            } else {
                self.new_victim(age, at)
            };
            victim_ids.push(id);
        }

        // Category recorded by the force (sometimes differing from what the data says).
        let recorded_share = if group { cal::RECORDED_CATEGORY_GROUP } else { cal::RECORDED_CATEGORY_SINGLE } * if self.year.category_lapse { LAPSE } else { 1.0 };
        let cocad = if in_scope && (category == "RITUALISTIC" || self.rng.chance(recorded_share)) {
            if category != "RITUALISTIC" && self.rng.chance(cal::RECORDED_DISAGREES) {
                *self.rng.pick(&["FAMILIAL", "CSE", "INSTITUTIONAL", "OTHER", "UNKNOWN"])
            } else {
                category
            }
        } else {
            ""
        };

        let crime_ref = format!("{}{}/{}/{:06}", csae_model::SYNTHETIC_REF_PREFIX, self.prefix, self.year() % 100, k + 1);
        let crime_index = self.data.tables[0].len();
        let cells = vec![
            self.force.id.clone(),
            crime_ref.clone(),
            iso(recorded),
            from.map(iso).unwrap_or_default(),
            to.map(iso).unwrap_or_default(),
            off.code.clone(),
            csa_flag.into(),
            cse_flag.into(),
            online_flag.into(),
            cocad.into(),
            location.into(),
            operation.clone().unwrap_or_default(),
        ];
        self.data.tables[0].push(Row { cells, crime: crime_index, victim: None, suspect: None });

        // Victim rows; the first victim of a crime that needs a known child age gets one.
        let needs_age = in_scope && !off.child_specific && csa_flag != "Y" && cse_flag != "Y";
        let mut victim_rows = Vec::new();
        for (i, &v) in victim_ids.iter().enumerate() {
            let must_know = (i == 0) && (needs_age || non_recent);
            let row = self.person_row(Table::Victims, v, &crime_ref, from, at, must_know, crime_index);
            victim_rows.push(row);
        }
        let mut suspect_rows = Vec::new();
        for &s in &suspect_ids {
            let row = self.person_row(Table::Suspects, s, &crime_ref, from, at, false, crime_index);
            suspect_rows.push(row);
        }

        // Relationships, consistent with the intended category.
        if in_scope && category == "UNKNOWN" && self.rng.chance(0.6) {
            return;
        }
        for (vi, &v) in victim_ids.iter().enumerate() {
            for (si, &s) in suspect_ids.iter().enumerate() {
                let sp = &self.suspects[s];
                let s_age = i64::from(csae_model::dates::whole_years(sp.birth, at));
                if sp.unidentified && category == "FAMILIAL" {
                    continue;
                }
                if !self.rng.chance(0.9) && !(vi == 0 && si == 0) {
                    continue;
                }
                let rel = match category {
                    _ if sp.unidentified => *self.rng.pick(&["UNKNOWN", "STRANGER", "ONLINE_ONLY"]),
                    "FAMILIAL" if s_age >= 25 => *self.rng.weighted(&FAMILY_ADULT),
                    "FAMILIAL" => *self.rng.weighted(&FAMILY_YOUNG),
                    "CSE" => *self.rng.weighted(&CSE_RELS),
                    "INSTITUTIONAL" if s_age >= 18 => "POSITION_OF_TRUST",
                    "INSTITUTIONAL" => "PEER",
                    "UNKNOWN" => "UNKNOWN",
                    _ if s_age < 18 => *self.rng.weighted(&OTHER_RELS_YOUNG),
                    _ => *self.rng.weighted(&OTHER_RELS_ADULT),
                };
                let cells = vec![
                    self.force.id.clone(),
                    crime_ref.clone(),
                    self.victims[v].person_ref.clone(),
                    sp.person_ref.clone(),
                    rel.to_string(),
                ];
                self.data.tables[3].push(Row { cells, crime: crime_index, victim: Some(victim_rows[vi]), suspect: Some(suspect_rows[si]) });
            }
        }
    }

    /// Adds a victim or suspect row for a person in a crime; returns its row index.
    #[allow(clippy::too_many_arguments)]
    fn person_row(&mut self, t: Table, id: usize, crime_ref: &str, from: Option<NaiveDate>, at: NaiveDate, must_know: bool, crime: usize) -> usize {
        let p = if t == Table::Victims { &self.victims[id] } else { &self.suspects[id] };
        let p = p.clone();
        let age = i64::from(csae_model::dates::whole_years(p.birth, at));
        let mut form = if p.unidentified { AgeForm::Unknown } else { *self.rng.weighted(&cal::AGE_FORMS) };
        if must_know && form == AgeForm::Unknown {
            form = AgeForm::Age;
        }
        if from.is_none() && form == AgeForm::BirthOnly {
            form = AgeForm::Age;
        }
        // Without an offence date the return's age and birth date may not line up exactly.
        if from.is_none() && form == AgeForm::AgeAndBirth {
            form = AgeForm::Age;
        }
        let (age_cell, dob_cell) = match form {
            AgeForm::Age => (age.to_string(), String::new()),
            AgeForm::AgeAndBirth => (age.to_string(), iso(p.birth)),
            AgeForm::BirthOnly => (String::new(), iso(p.birth)),
            AgeForm::Unknown => (String::new(), String::new()),
        };
        let blank_sex = !p.unidentified && self.rng.chance(0.04);
        let cells = vec![
            self.force.id.clone(),
            crime_ref.to_string(),
            p.person_ref.clone(),
            p.pnc.clone().unwrap_or_default(),
            age_cell,
            dob_cell,
            if blank_sex { String::new() } else { p.sex.to_string() },
            p.ethnicity.unwrap_or("").to_string(),
            p.ethnicity_officer.unwrap_or("").to_string(),
            p.nationality.unwrap_or("").to_string(),
        ];
        let table = &mut self.data.tables[t as usize];
        let index = table.len();
        let (victim, suspect) = if t == Table::Victims { (Some(index), None) } else { (None, Some(index)) };
        table.push(Row { cells, crime, victim, suspect });
        index
    }
}

/// Adds an unidentified suspect (`UNK1`, `UNK2`… within the crime).
fn continue_unidentified(ids: &mut Vec<usize>, suspects: &mut Vec<Profile>, n: usize, rng: &mut Rng) {
    suspects.push(Profile {
        person_ref: format!("UNK{n}"),
        birth: date(1990, 1, 1),
        sex: if rng.chance(0.7) { "U" } else { "M" },
        ethnicity: None,
        ethnicity_officer: rng.chance(0.2).then_some("IC9"),
        nationality: None,
        pnc: None,
        unidentified: true,
    });
    ids.push(suspects.len() - 1);
}

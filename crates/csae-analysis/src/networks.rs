//! Offender networks: connected components of CSAE crimes linked by shared identified persons
//! (force person_ref, or pnc_id across forces, transitively) and by a shared operation_ref
//! within a force. Computed with union–find: linear in the number of person rows.

use rustc_hash::FxHashMap;

use crate::ident::Interner;

/// Union–find over dense indices, with path halving and union by size.
pub(crate) struct Dsu {
    parent: Vec<u32>,
    size: Vec<u32>,
}

impl Dsu {
    pub(crate) fn new(n: usize) -> Dsu {
        Dsu { parent: (0..n as u32).collect(), size: vec![1; n] }
    }

    pub(crate) fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let p = self.parent[x as usize];
            self.parent[x as usize] = self.parent[p as usize];
            x = self.parent[x as usize];
        }
        x
    }

    pub(crate) fn union(&mut self, a: u32, b: u32) {
        let (mut a, mut b) = (self.find(a), self.find(b));
        if a == b {
            return;
        }
        if self.size[a as usize] < self.size[b as usize] {
            std::mem::swap(&mut a, &mut b);
        }
        self.parent[b as usize] = a;
        self.size[a as usize] += self.size[b as usize];
    }
}

/// A CSAE crime of the period, as the network builder needs it.
/// Text fields borrow from the query results, so half a million rows cost no allocation.
pub struct CrimeNode<'a> {
    /// The session's `crime_key` (a small integer per crime).
    pub key: u32,
    pub crime_ref: &'a str,
    pub force_id: &'a str,
    pub operation_ref: Option<&'a str>,
    pub n_suspects: i64,
}

/// A victim or suspect row of a CSAE crime of the period.
pub struct PersonRow<'a> {
    /// The `crime_key` of the person's crime.
    pub crime_key: u32,
    pub force_id: &'a str,
    pub person_ref: &'a str,
    pub pnc_id: Option<&'a str>,
    pub unidentified: bool,
    pub suspect: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Network {
    pub id: u32,
    pub crimes: u32,
    pub suspects: u32,
    pub victims: u32,
    pub forces: u32,
    /// Crimes of the network with a single suspect.
    pub single_suspect_crimes: u32,
}

impl Network {
    pub fn multi_offender(&self) -> bool {
        self.suspects >= 2
    }
    pub fn multi_force(&self) -> bool {
        self.forces >= 2
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Networks {
    pub networks: Vec<Network>,
    /// (crime_ref, network id) for every crime in a network.
    pub membership: Vec<(String, u32)>,
    /// Single-suspect crimes that belong to a multi-offender network.
    pub single_suspect_in_multi_offender: u32,
}

/// The force number of pnc_id keys: a PNC id is national.
const PNC: u32 = u32::MAX;

/// A person row reduced to numbers: its crime, its person nodes, its role.
#[derive(Debug, Clone, Copy)]
pub struct PersonIds {
    pub crime_key: u32,
    /// The node of the force's person_ref; `None` for an unidentified person.
    pub person: Option<u32>,
    /// The node of the pnc_id, when the row has one (and the person is identified).
    pub pnc: Option<u32>,
    pub suspect: bool,
}

/// Every person row with its identity numbered: one node per force person_ref and per pnc_id.
/// This needs only the person tables, so it can run before the CSAE crimes of the period are
/// known; [`build_from`] then links the rows of those crimes. Owns no text.
#[derive(Debug, Clone, Default)]
pub struct People {
    pub rows: Vec<PersonIds>,
    pub nodes: u32,
}

/// Numbers the persons of every row. Forces are numbered as they appear (rows come force by
/// force, so the last one is nearly always the one), and references are numbered through a
/// map of their hashes, one table per force (see `ident`).
pub fn number_people<'a>(people: &[PersonRow<'a>]) -> People {
    let mut forces: Vec<&str> = Vec::new();
    let mut last = usize::MAX;
    let mut force_no = |f: &'a str| -> u32 {
        if forces.get(last) != Some(&f) {
            last = forces.iter().position(|x| *x == f).unwrap_or_else(|| {
                forces.push(f);
                forces.len() - 1
            });
        }
        last as u32
    };
    let mut keys = Interner::with_capacity(people.len());
    let rows = people
        .iter()
        .map(|p| {
            let (person, pnc) = if p.unidentified {
                (None, None)
            } else {
                (Some(keys.intern(force_no(p.force_id), p.person_ref).0), p.pnc_id.map(|id| keys.intern(PNC, id).0))
            };
            PersonIds { crime_key: p.crime_key, person, pnc, suspect: p.suspect }
        })
        .collect();
    People { rows, nodes: keys.len() as u32 }
}

/// The networks of the CSAE crimes of the period, from person rows already numbered. Rows of
/// other crimes are skipped: they neither link crimes nor join a person's identities.
pub fn build_from(crimes: &[CrimeNode<'_>], people: &People) -> Networks {
    // Crime key → position in `crimes` (keys are small and dense).
    let mut index: Vec<Option<u32>> = vec![None; crimes.iter().map(|c| c.key as usize + 1).max().unwrap_or(0)];
    for (i, c) in crimes.iter().enumerate() {
        index[c.key as usize] = Some(i as u32);
    }
    let index = |key: u32| index.get(key as usize).copied().flatten();
    let mut crime_dsu = Dsu::new(crimes.len());
    let mut person_dsu = Dsu::new(people.nodes as usize);
    // The first crime each node was seen in: later crimes of the node are joined to it.
    let mut first_crime: Vec<u32> = vec![u32::MAX; people.nodes as usize];
    let mut seen = |node: u32, crime: u32, dsu: &mut Dsu| {
        let first = &mut first_crime[node as usize];
        if *first == u32::MAX {
            *first = crime;
        } else {
            dsu.union(crime, *first);
        }
    };
    for r in &people.rows {
        let (Some(crime), Some(a)) = (index(r.crime_key), r.person) else { continue };
        seen(a, crime, &mut crime_dsu);
        if let Some(b) = r.pnc {
            seen(b, crime, &mut crime_dsu);
            person_dsu.union(a, b);
        }
    }
    let mut ops: FxHashMap<(&str, &str), u32> = FxHashMap::default();
    for (i, c) in crimes.iter().enumerate() {
        if let Some(op) = c.operation_ref.filter(|o| !o.is_empty()) {
            let first = *ops.entry((c.force_id, op)).or_insert(i as u32);
            crime_dsu.union(i as u32, first);
        }
    }

    // Components of at least two crimes.
    // Most crimes are alone; only roots of larger sets get a list (no map, no list per crime).
    let mut comp_of_root: Vec<u32> = vec![u32::MAX; crimes.len()];
    let mut comps: Vec<Vec<u32>> = Vec::new();
    for i in 0..crimes.len() as u32 {
        let root = crime_dsu.find(i);
        if crime_dsu.size[root as usize] < 2 {
            continue;
        }
        let slot = &mut comp_of_root[root as usize];
        if *slot == u32::MAX {
            *slot = comps.len() as u32;
            comps.push(Vec::new());
        }
        comps[*slot as usize].push(i);
    }
    // Deterministic numbering: largest first, then by the first crime reference.
    for c in &mut comps {
        c.sort_by(|a, b| crimes[*a as usize].crime_ref.cmp(&crimes[*b as usize].crime_ref));
    }
    comps.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| crimes[a[0] as usize].crime_ref.cmp(&crimes[b[0] as usize].crime_ref)));
    let mut network_of: Vec<Option<u32>> = vec![None; crimes.len()];
    for (k, c) in comps.iter().enumerate() {
        for &i in c {
            network_of[i as usize] = Some(k as u32);
        }
    }
    let mut suspects: Vec<Vec<u32>> = vec![Vec::new(); comps.len()];
    let mut victims: Vec<Vec<u32>> = vec![Vec::new(); comps.len()];
    for p in &people.rows {
        let (Some(n), Some(crime)) = (p.person, index(p.crime_key)) else { continue };
        if let Some(k) = network_of[crime as usize] {
            let root = person_dsu.find(n);
            if p.suspect { suspects[k as usize].push(root) } else { victims[k as usize].push(root) }
        }
    }
    let distinct = |v: &mut Vec<u32>| {
        v.sort_unstable();
        v.dedup();
        v.len() as u32
    };
    let mut out = Networks::default();
    for (k, c) in comps.iter().enumerate() {
        let mut forces: Vec<&str> = c.iter().map(|&i| crimes[i as usize].force_id).collect();
        forces.sort_unstable();
        forces.dedup();
        let single_suspect_crimes = c.iter().filter(|&&i| crimes[i as usize].n_suspects == 1).count() as u32;
        let n = Network { id: k as u32 + 1, crimes: c.len() as u32, suspects: distinct(&mut suspects[k]), victims: distinct(&mut victims[k]), forces: forces.len() as u32, single_suspect_crimes };
        if n.multi_offender() {
            out.single_suspect_in_multi_offender += single_suspect_crimes;
        }
        out.membership.extend(c.iter().map(|&i| (crimes[i as usize].crime_ref.to_string(), n.id)));
        out.networks.push(n);
    }
    out
}

/// The person each row of `people` is, by the distinct-persons rule applied to every row of
/// the dataset (a force's person_ref, or a pnc_id anywhere, transitively): the same number for
/// the same person, `None` for an unidentified person, who is never anyone else.
pub fn identities(people: &People) -> Vec<Option<u32>> {
    let mut dsu = Dsu::new(people.nodes as usize);
    for r in &people.rows {
        if let (Some(a), Some(b)) = (r.person, r.pnc) {
            dsu.union(a, b);
        }
    }
    people.rows.iter().map(|r| r.person.map(|a| dsu.find(a))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The networks of crimes and person rows, in one step.
    fn build(crimes: &[CrimeNode<'_>], people: &[PersonRow<'_>]) -> Networks {
        build_from(crimes, &number_people(people))
    }

    /// Test crimes are named by one letter; the key is the letter's position.
    fn key(r: &str) -> u32 {
        u32::from(r.as_bytes()[0] - b'a')
    }

    fn crime<'a>(r: &'a str, f: &'a str, op: Option<&'a str>, n: i64) -> CrimeNode<'a> {
        CrimeNode { key: key(r), crime_ref: r, force_id: f, operation_ref: op, n_suspects: n }
    }

    fn person<'a>(c: &'a str, f: &'a str, p: &'a str, pnc: Option<&'a str>, suspect: bool) -> PersonRow<'a> {
        PersonRow { crime_key: key(c), force_id: f, person_ref: p, pnc_id: pnc, unidentified: p.starts_with("UNK"), suspect }
    }

    #[test]
    fn shared_person_pnc_and_operation_link_crimes() {
        let crimes = vec![crime("a", "f1", None, 2), crime("b", "f1", None, 1), crime("c", "f2", None, 1), crime("d", "f1", Some("OP"), 1), crime("e", "f1", Some("OP"), 1), crime("f", "f2", Some("OP"), 1)];
        let people = vec![
            person("a", "f1", "S1", Some("PNC1"), true),
            person("a", "f1", "S2", None, true),
            person("b", "f1", "S1", None, true), // same person_ref, no pnc: still S1
            person("c", "f2", "X9", Some("PNC1"), true), // same pnc in another force
        ];
        let n = build(&crimes, &people);
        assert_eq!(n.networks.len(), 2);
        let big = &n.networks[0];
        assert_eq!((big.crimes, big.suspects, big.forces), (3, 2, 2), "S1 seen in two forces is one person");
        assert!(big.multi_offender() && big.multi_force());
        // d and e share an operation in f1; f's OP is another force's operation.
        assert_eq!((n.networks[1].crimes, n.networks[1].forces), (2, 1));
        assert_eq!(n.single_suspect_in_multi_offender, 2);
    }

    #[test]
    fn identities_join_person_refs_through_pnc_ids_and_never_unidentified_persons() {
        let people = vec![
            person("a", "f1", "S1", Some("PNC1"), true),
            person("b", "f1", "S1", None, true),         // S1 again: the same person
            person("c", "f2", "X9", Some("PNC1"), true), // PNC1 in another force: S1 too
            person("d", "f2", "S1", None, true),         // S1 of another force: someone else
            person("e", "f1", "UNK1", None, true),
            person("f", "f1", "UNK1", None, true),       // unidentified: never merged
        ];
        let ids = identities(&number_people(&people));
        assert_eq!(ids[0], ids[1]);
        assert_eq!(ids[0], ids[2]);
        assert_ne!(ids[0], ids[3]);
        assert_eq!((ids[4], ids[5]), (None, None));
    }

    #[test]
    fn unidentified_persons_never_link() {
        let crimes = vec![crime("a", "f1", None, 1), crime("b", "f1", None, 1)];
        let people = vec![person("a", "f1", "UNK1", None, true), person("b", "f1", "UNK1", None, true)];
        assert!(build(&crimes, &people).networks.is_empty());
    }

    #[test]
    fn victims_link_in_either_role() {
        let crimes = vec![crime("a", "f1", None, 1), crime("b", "f1", None, 1)];
        let people = vec![person("a", "f1", "P1", None, false), person("b", "f1", "P1", None, true)];
        let n = build(&crimes, &people);
        assert_eq!(n.networks[0].crimes, 2);
        assert_eq!((n.networks[0].suspects, n.networks[0].victims), (1, 1));
    }
}

#!/usr/bin/env python3
"""Baseline for the pipeline benchmark: what an analyst might script by hand with Python's
csv module: read a collection of CSV returns once and compute a few headline figures
(CSAE crimes, group-based crimes and share, familial share of group-based) with the scope,
group-based and recorded-or-derived category rules, with no validation, pseudonymisation,
networks or tables. Usage: baseline_headline.py COLLECTION_DIR REFERENCE_DIR"""
import csv, os, sys

coll, ref = sys.argv[1], sys.argv[2]
child = {r["offence_code"]: r["child_specific"] == "Y" for r in csv.DictReader(open(os.path.join(ref, "offence-codes.csv"), encoding="utf-8"))}
family = {r["code"] for r in csv.DictReader(open(os.path.join(ref, "code-lists.csv"), encoding="utf-8")) if r["list"] == "relationship" and r["group"] == "FAMILY"}
institutional = {r["code"] for r in csv.DictReader(open(os.path.join(ref, "code-lists.csv"), encoding="utf-8")) if r["list"] == "location_type" and r["group"] == "INSTITUTIONAL"}

def rows(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        for r in csv.DictReader(f):
            yield {k.strip().lower(): (v or "").strip().upper() if k.strip().lower() not in ("crime_ref", "person_ref", "victim_ref", "suspect_ref") else (v or "").strip() for k, v in r.items() if k}

csae = group = familial = 0
for force in sorted(os.listdir(coll)):
    d = os.path.join(coll, force)
    if not os.path.isdir(d):
        continue
    suspects, child_victim, rels = {}, set(), {}
    for r in rows(os.path.join(d, "suspects.csv")):
        suspects[r["crime_ref"]] = suspects.get(r["crime_ref"], 0) + 1
    for r in rows(os.path.join(d, "victims.csv")):
        if r["age_at_offence"].isdigit() and int(r["age_at_offence"]) < 18:
            child_victim.add(r["crime_ref"])
    for r in rows(os.path.join(d, "relationships.csv")):
        rels.setdefault(r["crime_ref"], []).append(r["relationship"])
    for c in rows(os.path.join(d, "crimes.csv")):
        ref_ = c["crime_ref"]
        if not (child.get(c["offence_code"]) or c["csa_flag"] == "Y" or c["cse_flag"] == "Y" or ref_ in child_victim):
            continue
        csae += 1
        if suspects.get(ref_, 0) >= 2:
            group += 1
            rs = rels.get(ref_, [])
            cat = c["cocad_category"] or (
                "FAMILIAL" if rs and all(x in family for x in rs) else
                "CSE" if c["cse_flag"] == "Y" or c["offence_code"] in ("71", "72") else
                "INSTITUTIONAL" if "POSITION_OF_TRUST" in rs or c["location_type"] in institutional else
                "OTHER" if any(x != "UNKNOWN" for x in rs) else "UNKNOWN")
            familial += cat == "FAMILIAL"
print(f"csae_crimes={csae} group_based={group} share={group / max(csae, 1):.4f} familial_share={familial / max(group, 1):.4f}")

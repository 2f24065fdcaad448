//! `attain quota allocate`: the preview writes nothing and shows the tree; applying writes the
//! draft sheets and their lines; bad input names the option's field and writes nothing.

use crate::{Sandbox, count, summary};

const AS_OF: &str = "2018-01-15";

#[test]
fn allocation_previews_then_writes_draft_sheets() {
    let sandbox = Sandbox::new();
    let db = sandbox.arg("demo.db");
    sandbox.ok(&["demo", "--no-serve", "--db", &db, "--as-of", AS_OF]);
    // The demo holds its own year's revenue allocation as drafts; this allocates margin.
    assert_eq!(count(&summary(&sandbox, &db), "quota_sheets"), 4);
    let quotas = count(&summary(&sandbox, &db), "quotas");
    let args = [
        "quota",
        "allocate",
        "--db",
        &db,
        "--year",
        "FY2018",
        "--measure",
        "margin",
        "--method",
        "mix",
        "--mix",
        "50,30,20",
        "--over-assignment",
        "100,110",
        "--ramp",
        "25,50,75",
        "--note",
        "Annual allocation",
    ];
    let mut preview = args.to_vec();
    preview.push("--preview");
    let run = sandbox.ok(&preview);
    assert!(run.stdout.starts_with("FY2018 margin from rp-2018-v1: "), "{}", run.stdout);
    assert!(run.stdout.contains("Preview only: nothing was written."), "{}", run.stdout);
    assert_eq!(count(&summary(&sandbox, &db), "quota_sheets"), 4);

    let run = sandbox.ok(&args);
    // The VP's sheet and one per regional manager; 3 managers × 12 months, and 12 per rep.
    assert!(run.stdout.contains("Wrote 4 draft quota sheets ("), "{}", run.stdout);
    assert_eq!(count(&summary(&sandbox, &db), "quota_sheets"), 8);
    assert!(count(&summary(&sandbox, &db), "quotas") > quotas + 36);

    let mut bad = args.to_vec();
    bad[9] = "random";
    let run = sandbox.fails(1, &bad);
    assert!(run.stderr.contains("--method: 'random' is not one of"), "{}", run.stderr);
    let run = sandbox.fails(1, &["quota", "allocate", "--db", &db, "--year", "2031", "--note", "x"]);
    assert!(run.stderr.contains("--year: FY2031 has no approved revenue plan"), "{}", run.stderr);
}

//! docs/workspace.md carries a generated column reference; it must equal the code's.

#[test]
fn workspace_doc_lists_the_columns_the_code_has() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/workspace.md");
    let doc = std::fs::read_to_string(&path).expect("docs/workspace.md");
    let begin = doc.find("<!-- BEGIN GENERATED: columns").expect("begin marker");
    let body_start = doc[begin..].find("-->").map(|i| begin + i + 3).expect("end of begin marker");
    let end = doc.find("<!-- END GENERATED: columns -->").expect("end marker");
    let published = doc[body_start..end].trim();
    let generated = attain_core::record::columns_reference();
    assert_eq!(
        published,
        generated.trim(),
        "docs/workspace.md is out of date: replace the generated section with \
         attain_core::record::columns_reference()"
    );
}

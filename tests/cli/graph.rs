//! `jalon graph`: the stage graph for documents and reviews.

use crate::root;
use crate::support::Jalon;

#[test]
fn mermaid_and_dot_show_needs_and_decision_branches() {
    for format in ["mermaid", "dot"] {
        let output = Jalon::new()
            .current_dir(root())
            .args(&[
                "graph",
                "definitions/editions/2024-2025.yaml",
                "--format",
                format,
            ])
            .run();
        output.expect_code(0);
        insta::assert_snapshot!(format!("graph-{format}"), output.stdout());
    }
}
